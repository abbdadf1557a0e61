package dev.recur.testinfra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;

import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import dev.recur.testinfra.gcs.GcsEmulator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Against the real Firebase Storage emulator. Needs Node.js with npm on the PATH (the first run on a machine
 * installs firebase-tools, minutes) and a Java 21+ JDK: without them it fails, saying what is missing.
 */
@Tag("npm")
class GcsEmulatorTest {

    /** Never created: the emulator answers bucket creation with 501 and holds objects in any bucket name. */
    private static final String BUCKET = "recur-results";

    private static Storage storage;

    @BeforeAll
    static void startEmulator() {
        storage = GcsEmulator.shared().client();
    }

    @Test
    void shouldReadBackContentWhenWrittenByResumableUpload() throws IOException {
        String name = "results/" + UUID.randomUUID() + ".json";
        String json = "{\"results\":[{\"page\":1,\"items\":[\"é\",\"ü\"]}]}";

        write(name, json);

        assertThat(new String(storage.readAllBytes(BlobId.of(BUCKET, name)), StandardCharsets.UTF_8))
                .isEqualTo(json);
        Blob blob = storage.get(BlobId.of(BUCKET, name));
        assertThat(blob.getContentType()).isEqualTo("application/json");
        assertThat(blob.getSize()).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void shouldReadBackLargeContentWhenItFitsOneUploadChunk() throws IOException {
        String name = "claims/" + UUID.randomUUID() + ".json";
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < large.length; i++) {
            large[i] = (byte) ('a' + i % 26);
        }
        BlobInfo info = BlobInfo.newBuilder(BlobId.of(BUCKET, name))
                .setContentType("application/json")
                .build();
        try (WriteChannel writer = storage.writer(info)) {
            for (int offset = 0; offset < large.length; offset += 64 * 1024) {
                writer.write(ByteBuffer.wrap(large, offset, Math.min(64 * 1024, large.length - offset)));
            }
        }

        assertThat(storage.readAllBytes(BlobId.of(BUCKET, name))).isEqualTo(large);
    }

    @Test
    void shouldListOnlyObjectsUnderPrefixWhenListedByPrefix() throws IOException {
        String prefix = "list-" + UUID.randomUUID() + "/";
        write(prefix + "a.json", "{}");
        write(prefix + "b.json", "{}");
        write("other-" + UUID.randomUUID() + "/c.json", "{}");

        List<String> names = StreamSupport.stream(
                        storage.list(BUCKET, Storage.BlobListOption.prefix(prefix))
                                .iterateAll()
                                .spliterator(),
                        false)
                .map(Blob::getName)
                .toList();

        assertThat(names).containsExactlyInAnyOrder(prefix + "a.json", prefix + "b.json");
    }

    @Test
    void shouldHoldLatestContentWhenSameNameIsWrittenAgain() throws IOException {
        String name = "results/" + UUID.randomUUID() + ".json";
        write(name, "{\"results\":[]}");
        write(name, "{\"results\":[{\"page\":1}]}");
        write(name, "{\"results\":[{\"page\":1}]}");

        assertThat(new String(storage.readAllBytes(BlobId.of(BUCKET, name)), StandardCharsets.UTF_8))
                .isEqualTo("{\"results\":[{\"page\":1}]}");
        assertThat(storage.list(BUCKET, Storage.BlobListOption.prefix(name)).iterateAll())
                .hasSize(1);
    }

    @Test
    void shouldNotFindObjectWhenDeleted() throws IOException {
        String name = "results/" + UUID.randomUUID() + ".json";
        write(name, "{}");

        assertThat(storage.delete(BlobId.of(BUCKET, name))).isTrue();

        assertThat(storage.get(BlobId.of(BUCKET, name))).isNull();
        assertThat(storage.delete(BlobId.of(BUCKET, name))).isFalse();
    }

    @Test
    void shouldKeepObjectsAndLeaveNoProcessWhenStoppedAndStartedAgain() throws Exception {
        Infra.deleteRecursively(Infra.baseDir().resolve("gcs-restart"));
        GcsEmulator emulator = new GcsEmulator(Infra.baseDir().resolve("gcs-restart"), 0);
        try {
            emulator.start();
            try (Storage client = emulator.client()) {
                write(client, "kept.json", "{\"kept\":true}");
            }
            ProcessHandle cli = ProcessHandle.of(emulator.pid()).orElseThrow();
            List<ProcessHandle> tree = cli.descendants().toList();
            assertThat(tree).as("the rules runtime runs as a child of the CLI").isNotEmpty();

            emulator.stop();

            assertThat(cli.isAlive()).isFalse();
            assertThat(tree).noneMatch(ProcessHandle::isAlive);
            emulator.start();
            try (Storage client = emulator.client()) {
                assertThat(new String(client.readAllBytes(BlobId.of(BUCKET, "kept.json")), StandardCharsets.UTF_8))
                        .isEqualTo("{\"kept\":true}");
            }
        } finally {
            emulator.stop();
        }
    }

    private static void write(String name, String json) throws IOException {
        write(storage, name, json);
    }

    private static void write(Storage client, String name, String json) throws IOException {
        BlobInfo info = BlobInfo.newBuilder(BlobId.of(BUCKET, name))
                .setContentType("application/json")
                .build();
        try (WriteChannel writer = client.writer(info)) {
            writer.write(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
