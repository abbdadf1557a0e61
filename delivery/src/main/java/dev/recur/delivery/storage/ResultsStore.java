package dev.recur.delivery.storage;

import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.recur.common.event.JobResult;
import dev.recur.common.event.ResultPage;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.json.EventJson;
import dev.recur.delivery.config.ResultsStoreConfig;

/**
 * The deployment's results bucket: reads job-runner's claim checks ({@code claims/{job_id}.json}, a
 * JSON array of pages) and keeps every job's results document at {@code results/{job_id}.json} for
 * {@code GET /v1/queries/{id}/results}.
 */
@ApplicationScoped
public class ResultsStore {

    public static final String CONTENT_TYPE = "application/json";
    private static final TypeReference<List<ResultPage>> PAGES = new TypeReference<>() {
    };
    /**
     * Claim checks hold pages of 20 MB and more (job-runner's maximum body size), over Jackson's default
     * limit of 20,000,000 characters per string; the claim is read whole into memory anyway, so the limit
     * protects nothing here.
     */
    private static final ObjectMapper CLAIMS = largeStrings(EventJson.mapper().copy());

    private final S3ObjectStore s3;
    private final ResultsStoreConfig config;

    ResultsStore(S3ObjectStore s3, ResultsStoreConfig config) {
        this.s3 = s3;
        this.config = config;
    }

    public static String key(long jobId) {
        return "results/" + jobId + ".json";
    }

    /** The results document of a job: its inline pages, or the pages its claim check points to. */
    public byte[] resultsDocument(JobResult result) {
        List<ResultPage> pages = result.results() != null ? result.results() : claimedPages(result.resultsRef());
        return EventJson.write(Map.of("results", pages));
    }

    /** Stores a job's results document and says where. */
    public ResultsRef store(long jobId, byte[] document) {
        String key = key(jobId);
        s3.put(config.bucket(), key, document);
        return new ResultsRef(config.bucket(), key, document.length, CONTENT_TYPE, sha256(document));
    }

    public byte[] load(String key) {
        return s3.get(config.bucket(), key);
    }

    public void delete(List<String> keys) {
        s3.delete(config.bucket(), keys);
    }

    private List<ResultPage> claimedPages(ResultsRef ref) {
        String where = "claim check s3://" + ref.bucket() + "/" + ref.key();
        byte[] content;
        try {
            content = s3.get(ref.bucket(), ref.key());
        } catch (NoSuchKeyException e) {
            throw new UnreadableClaimException(where + " does not exist", e);
        }
        if (ref.sha256() != null && !ref.sha256().equalsIgnoreCase(sha256(content))) {
            throw new UnreadableClaimException(where + " does not match its sha256", null);
        }
        try {
            return CLAIMS.readValue(content, PAGES);
        } catch (IOException e) {
            throw new UnreadableClaimException(where + " is not a JSON array of result pages", e);
        }
    }

    /**
     * A claim check that no retry can read: missing (expired or deleted), altered, or not result pages. Unlike an
     * unreachable bucket, waiting does not help, so the job is recorded as faulted instead of holding its partition.
     */
    public static final class UnreadableClaimException extends RuntimeException {

        UnreadableClaimException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static ObjectMapper largeStrings(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).build());
        return mapper;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
