package dev.recur.jobrunner.storage;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import dev.recur.common.event.ResultsRef;
import dev.recur.common.storage.ResultsBucket;
import dev.recur.jobrunner.client.ClaimUploads;
import jakarta.enterprise.context.ApplicationScoped;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Stores results too large for a Kafka message in the results bucket, under {@link ResultsBucket#claimKey}.
 * The key depends on the job id only, so a job redone after a crash overwrites its own object. A page streamed as it
 * is fetched goes up as a multipart upload ({@link #open}).
 */
@ApplicationScoped
public class ClaimCheckStore implements ClaimUploads {

    static final String CONTENT_TYPE = ResultsBucket.CONTENT_TYPE;

    private final S3Client s3;
    private final String bucket;

    public ClaimCheckStore(S3Client s3, ResultsBucket bucket) {
        this.s3 = s3;
        this.bucket = bucket.name();
    }

    /** Stores {@code json} (the JSON array of the job's result pages) and says where it went. */
    public ResultsRef store(long jobId, byte[] json) {
        String key = ResultsBucket.claimKey(jobId);
        String sha256 = ResultsBucket.sha256(json);
        s3.putObject(
                PutObjectRequest.builder()
                        .bucket(bucket)
                        .key(key)
                        .contentType(CONTENT_TYPE)
                        .contentLength((long) json.length)
                        .build(),
                RequestBody.fromBytes(json));
        return new ResultsRef(bucket, key, json.length, CONTENT_TYPE, sha256);
    }

    @Override
    public Upload open(long jobId) {
        String key = ResultsBucket.claimKey(jobId);
        String uploadId = s3.createMultipartUpload(
                        b -> b.bucket(bucket).key(key).contentType(CONTENT_TYPE))
                .uploadId();
        return new Upload() {
            private final MessageDigest digest = ResultsBucket.newSha256();
            private final List<CompletedPart> parts = new ArrayList<>();
            private long size;

            @Override
            public void part(byte[] bytes, int length) {
                if (length == 0 && !parts.isEmpty()) {
                    return;
                }
                int number = parts.size() + 1;
                String etag = s3.uploadPart(
                                UploadPartRequest.builder()
                                        .bucket(bucket)
                                        .key(key)
                                        .uploadId(uploadId)
                                        .partNumber(number)
                                        .contentLength((long) length)
                                        .build(),
                                RequestBody.fromContentProvider(
                                        () -> new ByteArrayInputStream(bytes, 0, length), length, CONTENT_TYPE))
                        .eTag();
                digest.update(bytes, 0, length);
                size += length;
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            }

            @Override
            public ResultsRef complete() {
                s3.completeMultipartUpload(
                        b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
                return new ResultsRef(bucket, key, size, CONTENT_TYPE, ResultsBucket.hex(digest));
            }

            @Override
            public void abort() {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                } catch (RuntimeException e) {
                    // best effort: a bucket lifecycle rule for incomplete uploads removes what is left
                }
            }
        };
    }
}
