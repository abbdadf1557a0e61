package dev.recur.testinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.testcontainers.DockerClientFactory;

/**
 * The shared infrastructure of one test JVM: each server starts at most once, on first use, and stops when the
 * JVM exits. Embedded servers (no Docker needed) unless a Docker engine answers; {@code -Drecur.infra=embedded}
 * or {@code containers} (or the environment variable {@code RECUR_INFRA}) forces a choice.
 */
public final class Infra {

    /**
     * {@code -Drecur.postgres.durable=true}: the embedded PostgreSQL commits as production does (fsync and
     * synchronous commit on) instead of the tests' fsync off; for benchmarks.
     */
    public static final String DURABLE_POSTGRES = "recur.postgres.durable";

    private static KafkaBroker kafka;
    private static PostgresServer postgres;
    private static S3Server s3;
    private static Boolean containers;

    private Infra() {}

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            kafka = started(
                    "Kafka",
                    useContainers() ? new ContainerKafkaBroker() : new EmbeddedKafkaBroker(freshDir("kafka"), 0));
        }
        return kafka;
    }

    public static synchronized PostgresServer postgres() {
        if (postgres == null) {
            postgres = started(
                    "PostgreSQL",
                    useContainers()
                            ? new ContainerPostgresServer()
                            : new EmbeddedPostgresServer(
                                    freshDir("postgres"), 0, Boolean.getBoolean(DURABLE_POSTGRES)));
        }
        return postgres;
    }

    public static synchronized S3Server s3() {
        if (s3 == null) {
            s3 = started("S3", useContainers() ? new ContainerS3Server() : new EmbeddedS3Server(freshDir("s3"), 0));
        }
        return s3;
    }

    /** Where this JVM's servers keep their data: {@code target/recur-infra} of the module under test. */
    public static Path baseDir() {
        return Path.of(System.getProperty("recur.infra.dir", "target/recur-infra"))
                .toAbsolutePath();
    }

    static synchronized boolean useContainers() {
        if (containers == null) {
            String choice = System.getProperty("recur.infra", System.getenv().getOrDefault("RECUR_INFRA", "auto"))
                    .toLowerCase(Locale.ROOT);
            containers = switch (choice) {
                case "embedded" -> false;
                case "containers" -> true;
                default -> dockerAvailable();
            };
            log("using "
                    + (containers ? "Testcontainers (Docker engine found)" : "embedded servers (no Docker engine)"));
        }
        return containers;
    }

    private static boolean dockerAvailable() {
        boolean configured = System.getenv("DOCKER_HOST") != null
                || java.nio.file.Files.exists(Path.of("/var/run/docker.sock"))
                || java.nio.file.Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"));
        if (!configured) {
            return false; // spares the Docker probe and its error log on machines that have no engine at all
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static <T extends Server> T started(String name, T server) {
        long start = System.nanoTime();
        Supplier<String> elapsed = () -> String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
        server.start();
        log(name + " started in " + elapsed.get());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                server.close();
                            } catch (Exception e) {
                                log("stopping " + name + " failed: " + e);
                            }
                        },
                        "recur-infra-stop-" + name));
        return server;
    }

    /**
     * A new data directory of this JVM for a server, {@code <name>-<pid>-<unique suffix>}. The directories of
     * earlier test JVMs that have ended are deleted first: a run's data stays for inspection until the next run
     * of the module, and does not pile up (a benchmark leaves gigabytes; kept for every run, they fill the disk).
     * Deleting at exit instead would outlast surefire's wait for the JVM to exit.
     */
    public static Path freshDir(String name) {
        deleteLeftovers(name);
        try {
            // unique within this JVM as well: @QuarkusTest classes load test-infra in a class loader of their own,
            // whose copy of Infra starts its own servers beside the plain tests' copy; with one folder per name and
            // pid, one copy would empty it under the other copy's running broker (which then stops, and the ticker's
            // shutdown waits for it for ever)
            return Files.createTempDirectory(
                    Files.createDirectories(baseDir()),
                    name + "-" + ProcessHandle.current().pid() + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteLeftovers(String name) {
        Path base = baseDir();
        if (!Files.isDirectory(base)) {
            return;
        }
        try (Stream<Path> dirs = Files.list(base)) {
            dirs.filter(d -> {
                        String file = d.getFileName().toString();
                        if (!file.startsWith(name + "-")) {
                            return false;
                        }
                        try {
                            // <name>-<pid>-<unique suffix>, or <name>-<pid> as before
                            String rest = file.substring(name.length() + 1);
                            int dash = rest.indexOf('-');
                            long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                            return pid != ProcessHandle.current().pid()
                                    && ProcessHandle.of(pid).isEmpty();
                        } catch (NumberFormatException e) {
                            return false;
                        }
                    })
                    .forEach(d -> {
                        log("deleting " + d + ", left by a test JVM that no longer runs");
                        deleteRecursively(d);
                    });
        } catch (IOException | UncheckedIOException e) {
            log("cannot clean up " + base + ": " + e);
        }
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void log(String message) {
        System.out.println("[recur-infra] " + message);
    }
}
