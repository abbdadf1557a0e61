package dev.recur.scheduleapi.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

import dev.recur.common.storage.ResultsBucket;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Reads the results that delivery stored in the results bucket ({"results": [...]} per job): a whole object, or a
 * byte range of a results pack. Only the results bucket's results objects are read
 * ({@link ResultsBucket#holdsResults}), whatever bucket or key a job-history record names: a record on the topic is
 * not trusted to point only at results (claim checks, a tenant's bucket, a key with {@code ..}).
 */
@ApplicationScoped
public class ResultStore {

    private static final Logger LOG = Logger.getLogger(ResultStore.class);

    @Inject
    S3Client s3;

    @Inject
    ResultsBucket resultsBucket;

    /**
     * Where a job's results document is: the object, and its byte range within a results pack (null offset and size:
     * the whole object).
     */
    public record Location(String bucket, String key, Long offset, Long size) {

        /** {@code s3://bucket/key}, with the byte range of a document in a pack. */
        @Override
        public String toString() {
            return "s3://" + bucket + "/" + key
                    + (offset == null ? "" : " (bytes " + offset + "-" + (offset + size - 1) + ")");
        }
    }

    /**
     * Where the job's history record says its results document is; a record without a reference:
     * {@code results/{job_id}.json} of the results bucket.
     */
    public Location location(JobHistoryEntry job) {
        if (job.resultsKey == null) {
            return new Location(
                    job.resultsBucket == null ? resultsBucket.name() : job.resultsBucket,
                    ResultsBucket.resultsKey(job.jobId),
                    null,
                    null);
        }
        return new Location(
                job.resultsBucket == null ? resultsBucket.name() : job.resultsBucket,
                job.resultsKey,
                job.resultsOffset,
                job.resultsSize);
    }

    /** A job's stored results, open: its length and its bytes, to be streamed and closed. */
    public record OpenResults(long length, InputStream content) implements AutoCloseable {
        @Override
        public void close() {
            try {
                content.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The document at {@code where}, open and not read yet; empty if it is not (yet, or any more) there, or is not a
     * results object of the results bucket.
     */
    public Optional<OpenResults> open(Location where) {
        String bucket = where.bucket();
        String key = where.key();
        if (!resultsBucket.holdsResults(bucket, key)) {
            LOG.warnf(
                    "not reading s3://%s/%s: not a results object of the results bucket %s",
                    bucket, key, resultsBucket.name());
            return Optional.empty();
        }
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(b -> {
                b.bucket(bucket).key(key);
                if (where.offset() != null) {
                    b.range(ResultsBucket.httpRange(where.offset(), where.size()));
                }
            });
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        long length = in.response().contentLength();
        if (where.offset() != null && length != where.size()) {
            in.abort();
            ResultsBucket.checkRangeLength(bucket, key, where.size(), length);
        }
        return Optional.of(new OpenResults(length, in));
    }

    /** {@link #open}, read whole: for the console's small views; the API streams instead. */
    public Optional<byte[]> read(Location where) {
        return open(where).map(open -> {
            try (open) {
                return open.content().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
