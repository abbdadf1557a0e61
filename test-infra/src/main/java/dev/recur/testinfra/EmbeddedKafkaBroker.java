package dev.recur.testinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft cluster (combined broker and controller) from the {@code kafka_2.13} jars, in a JVM of
 * its own. Replication factor 1 everywhere, so transactions (exactly-once) work on one node.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private ChildJvm jvm;

    /** A broker on the given port, or on free ones when {@code port} is 0; data and logs under {@code dir}. */
    public EmbeddedKafkaBroker(Path dir, int port) {
        this.dir = dir.toAbsolutePath();
        this.port = port == 0 ? Ports.free() : port;
        this.controllerPort = Ports.free();
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return jvm.pid();
    }

    @Override
    public synchronized void start() {
        if (jvm != null && jvm.isAlive()) {
            return;
        }
        try {
            Path properties = writeConfiguration();
            Path dataDir = dir.resolve("data");
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(properties);
            }
            jvm = ChildJvm.start("kafka", ChildJvm.classpathResource("kafka.classpath"), jvmOptions(),
                    "kafka.Kafka", List.of(properties.toString()), dir.resolve("server.out"));
            Ports.awaitListening(port, START_TIMEOUT, jvm::checkAlive);
            awaitServing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void stop() {
        if (jvm != null) {
            jvm.stop(30);
            jvm = null;
        }
    }

    @Override
    public synchronized void kill() {
        if (jvm != null) {
            jvm.kill();
            jvm = null;
        }
    }

    private void awaitServing() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka on " + bootstrapServers() + " does not serve", e);
                    }
                }
                jvm.checkAlive();
                Ports.sleep(100);
            }
        }
    }

    private List<String> jvmOptions() {
        return List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-Dkafka.logs.dir=" + dir.resolve("logs"));
    }

    private void format(Path properties) throws IOException {
        String clusterId = Uuid.randomUuid().toString();
        ChildJvm formatter = ChildJvm.start("kafka-storage-format", ChildJvm.classpathResource("kafka.classpath"),
                jvmOptions(), "kafka.tools.StorageTool",
                List.of("format", "-t", clusterId, "-c", properties.toString()), dir.resolve("format.out"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (formatter.isAlive()) {
            if (System.nanoTime() > deadline) {
                formatter.kill();
                throw new IllegalStateException("kafka storage format did not finish");
            }
            Ports.sleep(50);
        }
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            throw new IllegalStateException("kafka storage format failed:\n" + ChildJvm.tail(dir.resolve("format.out"), 30));
        }
    }

    private Path writeConfiguration() throws IOException {
        Files.createDirectories(dir.resolve("logs"));
        Path properties = dir.resolve("server.properties");
        String listeners = "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + listeners,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=3",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=3",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                // schedule snapshots may be as large as the API's body limit (10 MiB)
                "message.max.bytes=16777216",
                "replica.fetch.max.bytes=16777216",
                // retention as production has it (7 days by record timestamp), looked at every second instead of
                // every 5 minutes after 30 s: a test whose records are stamped with a clock far from the broker's
                // loses them at once, visibly, not by chance minutes later
                "log.retention.check.interval.ms=1000",
                "log.initial.task.delay.ms=1000",
                ""));
        Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + dir.resolve("logs").resolve("server.log"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.file.ref = file",
                "logger.kafka.name = kafka",
                "logger.kafka.level = info",
                "logger.kafka.request.name = kafka.request.logger",
                "logger.kafka.request.level = warn",
                ""));
        return properties;
    }
}
