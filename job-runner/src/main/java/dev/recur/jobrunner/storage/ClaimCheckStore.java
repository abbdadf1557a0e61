package dev.recur.jobrunner.storage;

import dev.recur.common.event.ResultsRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Stores results too large for a Kafka message in the results bucket, under {@code claims/{job_id}.json}.
 * The key depends on the job id only, so a job redone after a crash overwrites its own object.
 */
@ApplicationScoped
public class ClaimCheckStore {

    static final String CONTENT_TYPE = "application/json";

    private final S3Client s3;
    private final String bucket;

    public ClaimCheckStore(S3Client s3, @ConfigProperty(name = "recur.results.bucket", defaultValue = "recur-results")
            String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** Stores {@code json} (the JSON array of the job's result pages) and says where it went. */
    public ResultsRef store(long jobId, byte[] json) {
        String key = "claims/" + jobId + ".json";
        String sha256 = sha256(json);
        s3.putObject(PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentType(CONTENT_TYPE)
                .contentLength((long) json.length)
                .build(), RequestBody.fromBytes(json));
        return new ResultsRef(bucket, key, json.length, CONTENT_TYPE, sha256);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
