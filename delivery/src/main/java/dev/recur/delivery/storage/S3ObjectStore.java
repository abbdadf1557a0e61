package dev.recur.delivery.storage;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;

/** Objects in S3 or an S3-compatible store, through the client that {@code quarkus.s3.*} configures. */
@ApplicationScoped
public class S3ObjectStore {

    private final S3Client s3;

    S3ObjectStore(S3Client s3) {
        this.s3 = s3;
    }

    /** Writes (or overwrites with the same bytes: idempotent per key) one JSON object. */
    public void put(String bucket, String key, byte[] json) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json").contentLength((long) json.length),
                RequestBody.fromBytes(json));
    }

    public byte[] get(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    public void delete(String bucket, List<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.quiet(true).objects(
                keys.stream().map(k -> ObjectIdentifier.builder().key(k).build())
                        .toList())));
    }
}
