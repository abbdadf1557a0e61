package dev.recur.delivery.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import org.junit.jupiter.api.Test;

/** The GCS upload at the client level, against google-cloud-nio's in-memory storage (no emulator). */
class GcsObjectStoreTest {

    @Test
    void shouldWriteOneObjectWithTheSameContentWhenUploadedTwice() {
        Storage storage = LocalStorageHelper.getOptions().getService();
        GcsObjectStore store = new GcsObjectStore(null);
        store.use(storage);
        byte[] json = "{\"results\":[]}".getBytes(StandardCharsets.UTF_8);

        store.put("user-bucket", "out/7.json", json);
        store.put("user-bucket", "out/7.json", json);

        assertThat(storage.readAllBytes(BlobId.of("user-bucket", "out/7.json"))).isEqualTo(json);
        assertThat(storage.get(BlobId.of("user-bucket", "out/7.json")).getContentType())
                .isEqualTo("application/json");
        assertThat(storage.list("user-bucket").iterateAll()).hasSize(1);
    }
}
