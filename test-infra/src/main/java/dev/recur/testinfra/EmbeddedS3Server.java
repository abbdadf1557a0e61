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
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=" + endpoint(),
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + accessKey(),
                    "s3proxy.credential=" + secretKey(),
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + blobs,
                    ""));
            // C1 only: a test JVM sends s3proxy a few thousand requests at most, too few for C2 to pay back its
            // compilations; measured with 10,000 PUTs of 0.5 KB, s3proxy's CPU fell by a third with no slower
            // steady state (docs/performance-delivery.md)
            jvm = ChildJvm.start("s3proxy", ChildJvm.classpathResource("s3proxy.classpath"),
                    List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "org.gaul.s3proxy.Main",
                    List.of("--properties", properties.toString()), dir.resolve("s3proxy.out"));
            Ports.awaitListening(port, Duration.ofSeconds(60), jvm::checkAlive);
            try (S3Client s3 = client()) {
                s3.listBuckets();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void stop() {
        if (jvm != null) {
            jvm.stop(10);
            jvm = null;
        }
    }
}
