package dev.recur.scheduleapi.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import dev.recur.common.event.ResultsRef;

/**
 * Reads the results that delivery stored in the results bucket ({"results": [...]} per job): a whole object, or a
 * byte range of a results pack. Only the results bucket's {@code results/{job_id}.json} and
 * {@code results/packs/...ndjson} objects are read, whatever bucket or key a job-history record names: a record on
 * the topic is not trusted to point only at results (claim checks, a tenant's bucket, a key with {@code ..}).
 */
@ApplicationScoped
public class ResultStore {

    private static final Logger LOG = Logger.getLogger(ResultStore.class);
    private static final Pattern RESULTS_KEY = Pattern.compile(
            "results/(\\d{1,19}\\.json|packs/[0-9A-Za-z_-]+(-[0-9A-Za-z_-]+)*\\.ndjson)");

    @Inject
    S3Client s3;

    @ConfigProperty(name = "recur.results.bucket", defaultValue = "recur-results")
    String resultsBucket;

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

    /** Whether the results store may be read at {@code bucket}/{@code key}. */
    public boolean isResultsObject(String bucket, String key) {
        return resultsBucket.equals(bucket) && key != null && RESULTS_KEY.matcher(key).matches();
    }

    /**
     * The {@code size} bytes from {@code offset} of the object, or the whole object when {@code offset} is null, open
     * and not read yet; empty if it is not (yet, or any more) there, or is not a results object of the results bucket.
     */
    public Optional<OpenResults> open(String bucket, String key, Long offset, Long size) {
        if (!isResultsObject(bucket, key)) {
            LOG.warnf("not reading s3://%s/%s: not a results object of the results bucket %s", bucket, key,
                    resultsBucket);
            return Optional.empty();
        }
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(b -> {
                b.bucket(bucket).key(key);
                if (offset != null) {
                    b.range(ResultsRef.httpRange(offset, size));
                }
            });
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        long length = in.response().contentLength();
        if (offset != null && length != size) {
            in.abort();
            throw new IllegalStateException("s3://" + bucket + "/" + key + " answered " + length
                    + " bytes for a range of " + size);
        }
        return Optional.of(new OpenResults(length, in));
    }

    /** The object's bytes, or empty if it is not (yet) there. */
    public Optional<byte[]> read(String bucket, String key) {
        return read(bucket, key, null, null);
    }

    /** {@link #open}, read whole: for the console's small views; the API streams instead. */
    public Optional<byte[]> read(String bucket, String key, Long offset, Long size) {
        return open(bucket, key, offset, size).map(open -> {
            try (open) {
                return open.content().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
