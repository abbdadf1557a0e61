package dev.recur.testinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import software.amazon.awssdk.services.s3.S3Client;

/** s3proxy with its filesystem backend, in a JVM of its own: a real S3 wire protocol server, path-style. */
public final class EmbeddedS3Server implements S3Server {

    /** System property: s3proxy's JVM flags instead of the defaults. */
    public static final String JVM_OPTIONS = "recur.s3proxy.jvm-options";
    /** System property: more s3proxy properties (e.g. {@code s3proxy.jetty.max-threads}) for a benchmark. */
    public static final String PROPERTIES = "recur.s3proxy.properties";

    private final Path dir;
    private final int port;
    private ChildJvm jvm;

    public EmbeddedS3Server(Path dir, int port) {
        this.dir = dir.toAbsolutePath();
        this.port = port == 0 ? Ports.free() : port;
    }

    @Override
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public String accessKey() {
        return "recur-access";
    }

    @Override
    public String secretKey() {
        return "recur-secret-key";
    }

    @Override
    public synchronized void start() {
        if (jvm != null && jvm.isAlive()) {
            return;
        }
        try {
            Path blobs = Files.createDirectories(dir.resolve("blobs"));
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(
                    properties,
                    String.join(
                            "\n",
                            "s3proxy.endpoint=" + endpoint(),
                            "s3proxy.authorization=aws-v2-or-v4",
                            "s3proxy.identity=" + accessKey(),
                            "s3proxy.credential=" + secretKey(),
                            "jclouds.provider=filesystem",
                            "jclouds.filesystem.basedir=" + blobs,
                            extraProperties()));
            // C1 only: a test JVM sends s3proxy a few thousand requests at most, too few for C2 to pay back its
            // compilations (10,000 PUTs of 0.5 KB: a third less CPU). A benchmark that warms up for minutes passes
            // C2 through JVM_OPTIONS: once warm, s3proxy uses a third less CPU per job with it
            // (docs/performance-delivery.md)
            jvm = ChildJvm.start(
                    "s3proxy",
                    ChildJvm.classpathResource("s3proxy.classpath"),
                    jvmOptions(),
                    "org.gaul.s3proxy.Main",
                    List.of("--properties", properties.toString()),
                    dir.resolve("s3proxy.out"));
            Ports.awaitListening(port, Duration.ofSeconds(60), jvm::checkAlive);
            try (S3Client s3 = client()) {
                s3.listBuckets();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The JVM flags above, or those of the system property {@value #JVM_OPTIONS} (space-separated): a benchmark
     * compares s3proxy's CPU per request under other flags without a rebuild of test-infra.
     */
    private static List<String> jvmOptions() {
        String options = System.getProperty(JVM_OPTIONS, "").trim();
        return options.isEmpty()
                ? List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                : List.of(options.split("\\s+"));
    }

    /** Lines for s3proxy.properties from the system property {@value #PROPERTIES} ("key=value,key=value"). */
    private static String extraProperties() {
        String extra = System.getProperty(PROPERTIES, "").trim();
        return extra.isEmpty() ? "" : String.join("\n", extra.split(",")) + "\n";
    }

    @Override
    public synchronized void stop() {
        if (jvm != null) {
            jvm.stop(10);
            jvm = null;
        }
    }
}
