package dev.recur.delivery.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import com.google.cloud.NoCredentials;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import dev.recur.delivery.config.DeliveryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Objects in Google Cloud Storage with Application Default Credentials, or in an emulator when
 * {@code recur.delivery.gcs.host} is set. The client is built on first use, so that a deployment
 * without GCS credentials starts and only its GCS deliveries fail.
 */
@ApplicationScoped
public class GcsObjectStore {

    private final DeliveryConfig config;
    private final AtomicReference<Storage> storage = new AtomicReference<>();

    @Inject
    GcsObjectStore(DeliveryConfig config) {
        this.config = config;
    }

    /** Replaces the client, e.g. by an in-memory one in tests. */
    public void use(Storage client) {
        storage.set(client);
    }

    /**
     * Writes one JSON object through a resumable upload ({@code storage.writer}): the only upload the
     * Firebase Storage emulator accepts, and fine for real GCS. Same key, same bytes: idempotent.
     */
    public void put(String bucket, String key, byte[] json) {
        BlobInfo blob = BlobInfo.newBuilder(BlobId.of(bucket, key))
                .setContentType("application/json")
                .build();
        try (WriteChannel writer = client().writer(blob)) {
            ByteBuffer buffer = ByteBuffer.wrap(json);
            while (buffer.hasRemaining()) {
                writer.write(buffer);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("GCS upload of gs://" + bucket + "/" + key + " failed", e);
        }
    }

    private Storage client() {
        Storage current = storage.get();
        if (current != null) {
            return current;
        }
        StorageOptions.Builder options = StorageOptions.newBuilder();
        config.gcs().projectId().ifPresent(options::setProjectId);
        config.gcs().host().ifPresent(host -> options.setHost(host).setCredentials(NoCredentials.getInstance()));
        storage.compareAndSet(null, options.build().getService());
        return storage.get();
    }
}
