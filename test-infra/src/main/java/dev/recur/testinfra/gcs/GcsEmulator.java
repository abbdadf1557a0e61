package dev.recur.testinfra.gcs;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import com.google.cloud.storage.Storage;
import dev.recur.testinfra.ChildJvm;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.Ports;
import dev.recur.testinfra.Server;

/**
 * The Firebase Storage emulator (npm {@code firebase-tools}), a real server of the GCS JSON API, in a process
 * tree of its own: the Firebase CLI (node) and its rules runtime child (a JVM running
 * {@link RulesRuntimeStandIn}).
 * <p>
 * What works through the Java client ({@link #client()}): resumable uploads ({@code storage.writer(...)}),
 * reads, {@code get}, {@code list} (with prefix), overwrite, {@code delete}. Buckets need no creation (the
 * emulator's bucket creation answers 501): any bucket name holds objects as soon as one is written. Not served:
 * multipart uploads ({@code storage.create(blobInfo, bytes)}: "Missing content type"), and objects larger than
 * the writer's chunk size (16 MiB unless {@code setChunkSize}): the emulator ends a resumable upload at its first
 * PUT, so a second chunk fails with "Attempt to append to already finalized upload session".
 * <p>
 * The process tree dies with the JVM that started it, even on {@code kill -9} of that JVM: the CLI runs with a
 * preloaded script that starts the CLI's clean shutdown when its stdin (a pipe from this JVM) closes, and the
 * rules runtime ends when the CLI, which writes to its stdin, is gone. Data survives {@link #stop()} and
 * {@link #start()} (the emulator exports it on a clean shutdown and imports it at start).
 */
public final class GcsEmulator implements Server {

    public static final String PROJECT_ID = "demo-test";

    private static final String RULES_RUNTIME_JAR = "cloud-storage-rules-runtime-v1.1.3.jar";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final long STOP_GRACE_SECONDS = 30;

    private static GcsEmulator shared;

    private final Path dir;
    private final int port;
    private Process process;

    public GcsEmulator(Path dir, int port) {
        this.dir = dir.toAbsolutePath();
        this.port = port == 0 ? Ports.free() : port;
    }

    /**
     * The emulator of this JVM: started on first use (installing firebase-tools first if this machine has not
     * yet, see {@link FirebaseTools}), stopped when the JVM exits.
     */
    public static synchronized GcsEmulator shared() {
        if (shared == null) {
            Path dir = Infra.freshDir("gcs");
            GcsEmulator emulator = new GcsEmulator(dir, 0);
            long start = System.nanoTime();
            emulator.start();
            log(String.format(Locale.ROOT, "GCS emulator started in %.1f s", (System.nanoTime() - start) / 1e9));
            Runtime.getRuntime().addShutdownHook(new Thread(emulator::stop, "recur-infra-stop-GCS"));
            shared = emulator;
        }
        return shared;
    }

    /** The base URL of the GCS JSON API, for {@code StorageOptions.Builder.setHost}. */
    public String host() {
        return "http://127.0.0.1:" + port;
    }

    public String projectId() {
        return PROJECT_ID;
    }

    /** A client of this emulator (needs google-cloud-storage on the classpath); the caller closes it. */
    public Storage client() {
        return EmulatorClients.storage(host(), PROJECT_ID);
    }

    /** The Firebase CLI process (the root of the emulator's process tree), while it runs. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("the GCS emulator is not running");
        }
        return process.pid();
    }

    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        Path firebase = FirebaseTools.installed();
        Path javaHome = JavaHomes.atLeast(21);
        try {
            Files.createDirectories(dir);
            Path emulators = Files.createDirectories(dir.resolve("emulators"));
            writeRulesRuntimeJar(emulators.resolve(RULES_RUNTIME_JAR));
            Path preload = dir.resolve("exit-with-parent.js");
            copyResource("exit-with-parent.js", preload);
            Files.writeString(dir.resolve("storage.rules"), """
                    rules_version = '2';
                    service firebase.storage {
                      match /b/{bucket}/o {
                        match /{allPaths=**} {
                          allow read, write: if true;
                        }
                      }
                    }
                    """);
            Files.writeString(dir.resolve("firebase.json"), """
                    {
                      "storage": {"rules": "storage.rules"},
                      "emulators": {
                        "singleProjectMode": true,
                        "storage": {"host": "127.0.0.1", "port": %d},
                        "ui": {"enabled": false}
                      }
                    }
                    """.formatted(port));
            Path tmp = Files.createDirectories(dir.resolve("tmp"));
            Path data = dir.resolve("data");
            Path log = dir.resolve("firebase.out");

            List<String> command = List.of(
                    FirebaseTools.node().toString(),
                    "--require",
                    preload.toString(),
                    firebase.toString(),
                    "emulators:start",
                    "--only",
                    "storage",
                    "--project",
                    PROJECT_ID,
                    "--config",
                    dir.resolve("firebase.json").toString(),
                    "--import",
                    data.toString(),
                    "--export-on-exit",
                    data.toString(),
                    "--non-interactive");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            Map<String, String> env = builder.environment();
            // the CLI refuses a Java older than 21 for its rules runtime; the machine's default may be 17
            env.put("JAVA_HOME", javaHome.toString());
            env.put("PATH", javaHome.resolve("bin") + File.pathSeparator + env.getOrDefault("PATH", ""));
            env.put("FIREBASE_EMULATORS_PATH", emulators.toString());
            // the CLI finds its own hub (which runs the export at shutdown) through hub-demo-test.json in the temp
            // dir: a temp dir per emulator keeps concurrent emulators (one per test JVM) from finding each other's
            env.put("TMPDIR", tmp.toString());
            env.put("NO_UPDATE_NOTIFIER", "1");
            // CI: the CLI then skips fetching its message of the day from the internet
            env.put("CI", "true");
            process = builder.start();
            awaitServing(log);
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException("cannot start the GCS emulator in " + dir, e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /**
     * Closes the CLI's stdin (its preloaded script then starts the clean shutdown), waits for the process tree,
     * and kills what is left of it after the grace period.
     */
    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed: the shutdown has begun
        }
        try {
            if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                log("the GCS emulator did not stop within " + STOP_GRACE_SECONDS + " s; killing it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle p : tree) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        process = null;
    }

    private void awaitServing(Path log) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        // listing the objects of a bucket answers only once the storage emulator and its rules are loaded
        HttpRequest probe = HttpRequest.newBuilder(
                        URI.create(host() + "/storage/v1/b/" + PROJECT_ID + ".appspot.com/o"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the GCS emulator exited with " + process.exitValue() + "; end of "
                        + log + ":\n" + ChildJvm.tail(log, 40));
            }
            if (Ports.isListening(port)) {
                try {
                    if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not serving yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the GCS emulator", e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the GCS emulator does not serve on port " + port + " after "
                        + START_TIMEOUT + "; end of " + log + ":\n" + ChildJvm.tail(log, 40));
            }
            sleep(100);
        }
    }

    /** A runnable jar of the one class {@link RulesRuntimeStandIn}, read from this JVM's classpath. */
    private static void writeRulesRuntimeJar(Path jar) throws IOException {
        Class<?> main = RulesRuntimeStandIn.class;
        String entry = main.getName().replace('.', '/') + ".class";
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
        try (InputStream classFile = main.getResourceAsStream(main.getSimpleName() + ".class");
                JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            if (classFile == null) {
                throw new IllegalStateException("class file of " + main.getName() + " not on the classpath");
            }
            out.putNextEntry(new JarEntry(entry));
            classFile.transferTo(out);
            out.closeEntry();
        }
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = GcsEmulator.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + ": build test-infra with Maven");
            }
            Files.write(target, in.readAllBytes());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void log(String message) {
        System.out.println("[recur-infra] " + message);
    }
}
