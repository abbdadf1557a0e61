package dev.recur.delivery.storage;

import java.io.ByteArrayInputStream;
import java.util.List;

import dev.recur.common.storage.ResultsBucket;
import jakarta.enterprise.context.ApplicationScoped;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Objects in S3 or an S3-compatible store, through the client that {@code quarkus.s3.*} configures. */
@ApplicationScoped
public class S3ObjectStore {

    private final S3Client s3;

    S3ObjectStore(S3Client s3) {
        this.s3 = s3;
    }

    /** Writes (or overwrites with the same bytes: idempotent per key) one JSON object. */
    public void put(String bucket, String key, byte[] json) {
        put(bucket, key, json, "application/json");
    }

    public void put(String bucket, String key, byte[] content, String contentType) {
        // a provider of streams over the array, not RequestBody.fromBytes, which copies it: results documents of tens
        // of megabytes are written here
        s3.putObject(
                b -> b.bucket(bucket).key(key).contentType(contentType).contentLength((long) content.length),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(content), content.length, contentType));
    }

    /** The object's content as a stream, not read into memory; the caller closes it. */
    public ResponseInputStream<GetObjectResponse> stream(String bucket, String key) {
        return s3.getObject(b -> b.bucket(bucket).key(key));
    }

    public byte[] get(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** The {@code size} bytes from {@code offset} of an object. */
    public byte[] getRange(String bucket, String key, long offset, long size) {
        byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range(ResultsBucket.httpRange(offset, size)))
                .asByteArray();
        ResultsBucket.checkRangeLength(bucket, key, size, bytes.length);
        return bytes;
    }

    /** The keys under {@code prefix} in key order, listed page by page as they are read. */
    public Iterable<String> keys(String bucket, String prefix) {
        return () -> s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                .iterator();
    }

    public void delete(String bucket, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        s3.deleteObjects(b -> b.bucket(bucket)
                .delete(d -> d.quiet(true)
                        .objects(keys.stream()
                                .map(k -> ObjectIdentifier.builder().key(k).build())
                                .toList())));
    }
}
