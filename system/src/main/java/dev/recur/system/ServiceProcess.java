package dev.recur.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.recur.testinfra.ChildJvm;
import dev.recur.testinfra.Ports;

/**
 * One Recur service as a real process: {@code java -jar <module>/target/quarkus-app/quarkus-run.jar} in effect,
 * started through test-infra's watchdog so that it dies with the launcher. It listens on two ports: the HTTP port
 * for the service's own endpoints, and the management port for health ({@code /q/health/*}) and metrics
 * ({@code /q/metrics}).
 */
public final class ServiceProcess {

    private static final String QUARKUS_MAIN = "io.quarkus.bootstrap.runner.QuarkusEntryPoint";
    private static final Duration READY_POLL = Duration.ofMillis(250);
    /** Properties passed in a file rather than on the command line: passwords, keys, JAAS logins, tokens. */
    static final java.util.regex.Pattern SECRET_KEY =
            java.util.regex.Pattern.compile("(?i)(password|secret|jaas|credential|token|access-key)");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path jar;
    private final int port;
    private final int managementPort;
    private final Map<String, String> properties;
    private final Path log;
    private List<String> jvmOptions = LOCAL_JVM_OPTIONS;
    private ChildJvm jvm;

    /**
     * The local run's JVM flags: quick to start, C1 only (a service of the local run or of a test handles too little
     * traffic for C2 to pay back its compilations).
     */
    public static final List<String> LOCAL_JVM_OPTIONS =
            List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** A service with its management interface on any free port. */
    public ServiceProcess(String name, Path jar, int port, Map<String, String> properties, Path log) {
        this(name, jar, port, Ports.free(), properties, log);
    }

    public ServiceProcess(
            String name, Path jar, int port, int managementPort, Map<String, String> properties, Path log) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.managementPort = managementPort;
        this.properties = Map.copyOf(properties);
        this.log = log;
    }

    /**
     * Another instance of the same service: the same jar and configuration with {@code overrides} on top, its own
     * name, port, a free management port and its log beside this one's (several instances of a service in one
     * system, as a scaled-out deployment runs them).
     */
    public ServiceProcess another(String instanceName, int instancePort, Map<String, String> overrides) {
        Map<String, String> merged = new java.util.LinkedHashMap<>(properties);
        merged.putAll(overrides);
        return new ServiceProcess(instanceName, jar, instancePort, merged, log.resolveSibling(instanceName + ".log"));
    }

    /** The JVM flags for the next {@link #start()} (the ports come on top). */
    public synchronized ServiceProcess jvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The management interface's root: {@code /q/health/ready}, {@code /q/metrics} and so on are under it. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return log;
    }

    public synchronized void start() {
        if (jvm != null && jvm.isAlive()) {
            return;
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build with ./mvnw -B install -DskipTests");
        }
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dquarkus.http.port=" + port);
        options.add("-Dquarkus.management.port=" + managementPort);
        Map<String, String> secrets = new java.util.TreeMap<>();
        properties.forEach((k, v) -> {
            if (SECRET_KEY.matcher(k).find()) {
                secrets.put(k, v);
            } else {
                options.add("-D" + k + "=" + v);
            }
        });
        if (!secrets.isEmpty()) {
            options.add("-Dquarkus.config.locations=" + writeSecrets(secrets).toUri());
        }
        jvm = ChildJvm.start(name, List.of(jar.toString()), options, QUARKUS_MAIN, List.of(), log);
    }

    /**
     * The secret properties in a file only this user may read (0600, in a 0700 directory beside the logs' one),
     * which the service reads through {@code quarkus.config.locations}, above every other source: a {@code -D}
     * option is visible to every user of the machine in {@code ps}.
     */
    private Path writeSecrets(Map<String, String> secrets) {
        Path dir = log.toAbsolutePath().getParent().resolveSibling("secrets");
        Path file = dir.resolve(name + ".properties");
        java.util.Properties content = new java.util.Properties();
        content.putAll(secrets);
        content.put("config_ordinal", "500");
        try {
            Files.createDirectories(dir);
            ownerOnly(dir, "rwx------");
            Files.deleteIfExists(file);
            Files.createFile(file);
            ownerOnly(file, "rw-------");
            try (java.io.Writer out = Files.newBufferedWriter(file)) {
                content.store(out, "secrets of " + name + " (written by ServiceProcess; readable by its owner only)");
            }
            return file;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Restricts a file to its owner where the file system has POSIX permissions. */
    static void ownerOnly(Path path, String permissions) throws IOException {
        if (Files.getFileStore(path).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString(permissions));
        }
    }

    /**
     * Waits until {@code /q/health/ready} on the management port answers 200 and the HTTP port accepts connections
     * (Quarkus binds the two servers side by side); fails early, with the log's end, if the process died.
     */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(3))
                .build();
        while (true) {
            jvm.checkAlive();
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    try (java.net.Socket http = new java.net.Socket()) {
                        http.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
                        return;
                    }
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        name + " not ready after " + timeout + "; end of " + log + ":\n" + ChildJvm.tail(log, 40));
            }
            Ports.sleep(READY_POLL);
        }
    }

    public boolean isAlive() {
        return jvm != null && jvm.isAlive();
    }

    public long pid() {
        return jvm.pid();
    }

    /** SIGTERM: Quarkus shuts down gracefully. */
    public synchronized void stop() {
        if (jvm != null) {
            jvm.stop(30);
            jvm = null;
        }
    }

    /** SIGSTOP: the process stands still (a long GC pause, a frozen VM) until {@link #resume()}. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
    }

    private synchronized void signal(String name) {
        if (jvm == null) {
            throw new IllegalStateException(this.name + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(jvm.pid()))
                    .inheritIO()
                    .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + jvm.pid() + " failed");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: a crash, for fault-injection tests. */
    public synchronized void kill() {
        if (jvm != null) {
            jvm.kill();
            jvm = null;
        }
    }
}
