package dev.recur.scheduleapi.storage;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import dev.recur.common.event.ResultsRef;

/**
 * Reads the results that delivery stored in the results bucket ({"results": [...]} per job): a whole object, or a
 * byte range of a results pack.
 */
@ApplicationScoped
public class ResultStore {

    @Inject
    S3Client s3;

    /** The object's bytes, or empty if it is not (yet) there. */
    public Optional<byte[]> read(String bucket, String key) {
        return read(bucket, key, null, null);
    }

    /**
     * The {@code size} bytes from {@code offset} of the object, or the whole object when {@code offset} is null;
     * empty if it is not (yet, or any more) there.
     */
    public Optional<byte[]> read(String bucket, String key, Long offset, Long size) {
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> {
                b.bucket(bucket).key(key);
                if (offset != null) {
                    b.range(ResultsRef.httpRange(offset, size));
                }
            });
            if (offset != null && bytes.asByteArray().length != size) {
                throw new IllegalStateException("s3://" + bucket + "/" + key + " answered "
                        + bytes.asByteArray().length + " bytes for a range of " + size);
            }
            return Optional.of(bytes.asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }
}
