package dev.recur.testinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft cluster (combined broker and controller) from the {@code kafka_2.13} jars, in a JVM of
 * its own. Replication factor 1 everywhere, so transactions (exactly-once) work on one node.
 *
 * <p>Plaintext by default. {@link #secured} makes a broker whose only client listener is {@code SASL_SSL}
 * (SCRAM-SHA-512, a certificate from a CA made at test time): no plaintext listener exists for a client to fall
 * back on, and the broker talks to itself (transaction markers) over the same listener.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** The SCRAM mechanism of a secured broker. */
    public static final String SASL_MECHANISM = "SCRAM-SHA-512";
    /** The SCRAM user a secured broker's clients log in as; the broker itself is {@value #BROKER_USER}. */
    public static final String CLIENT_USER = "recur";

    private static final String BROKER_USER = "broker";

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final boolean secured;
    private ChildJvm jvm;
    private TestCertificates certificates;

    /** A broker on the given port, or on free ones when {@code port} is 0; data and logs under {@code dir}. */
    public EmbeddedKafkaBroker(Path dir, int port) {
        this(dir, port, false);
    }

    private EmbeddedKafkaBroker(Path dir, int port, boolean secured) {
        this.dir = dir.toAbsolutePath();
        this.port = port == 0 ? Ports.free() : port;
        this.controllerPort = Ports.free();
        this.secured = secured;
    }

    /** A broker that clients reach only over {@code SASL_SSL}; {@link #clientProperties()} tells them how. */
    public static EmbeddedKafkaBroker secured(Path dir, int port) {
        return new EmbeddedKafkaBroker(dir, port, true);
    }

    @Override
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The broker's server.properties, written at each start. */
    public Path configuration() {
        return dir.resolve("server.properties");
    }

    public boolean isSecured() {
        return secured;
    }

    /**
     * What a client needs besides the bootstrap servers, as Kafka client settings: for a secured broker the
     * protocol, the SCRAM login of {@value #CLIENT_USER} and the trust store holding the test CA.
     */
    @Override
    public Map<String, String> clientProperties() {
        if (!secured) {
            return KafkaBroker.super.clientProperties();
        }
        TestCertificates tls = certificates();
        Map<String, String> props = new LinkedHashMap<>(KafkaBroker.super.clientProperties());
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", SASL_MECHANISM);
        props.put("sasl.jaas.config", scramLogin(CLIENT_USER, password(CLIENT_USER)));
        props.put("ssl.truststore.location", tls.trustStore().toString());
        props.put("ssl.truststore.type", TestCertificates.STORE_TYPE);
        props.put("ssl.truststore.password", tls.password());
        return props;
    }

    /** The password of a SCRAM user of this broker, made once and kept with its data. */
    public String password(String user) {
        Path file = dir.resolve("scram-" + user);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(dir);
                byte[] random = new byte[12];
                new SecureRandom().nextBytes(random);
                Files.writeString(file, HexFormat.of().formatHex(random) + "\n");
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String scramLogin(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    private synchronized TestCertificates certificates() {
        if (certificates == null) {
            certificates = TestCertificates.in(dir.resolve("tls"));
        }
        return certificates;
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
            jvm = ChildJvm.start(
                    "kafka",
                    ChildJvm.classpathResource("kafka.classpath"),
                    jvmOptions(),
                    "kafka.Kafka",
                    List.of(properties.toString()),
                    dir.resolve("server.out"));
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
                    if (!admin.describeCluster()
                            .nodes()
                            .get(5, TimeUnit.SECONDS)
                            .isEmpty()) {
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

    /** The SASL_SSL listener's settings, or nothing for a plaintext broker. */
    private String securitySettings() {
        if (!secured) {
            return "";
        }
        TestCertificates tls = certificates();
        return String.join(
                "\n",
                "sasl.enabled.mechanisms=" + SASL_MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + SASL_MECHANISM,
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + scramLogin(BROKER_USER, password(BROKER_USER)),
                "ssl.keystore.location=" + tls.keyStore(),
                "ssl.keystore.type=" + TestCertificates.STORE_TYPE,
                "ssl.keystore.password=" + tls.password(),
                "ssl.key.password=" + tls.password(),
                "ssl.truststore.location=" + tls.trustStore(),
                "ssl.truststore.type=" + TestCertificates.STORE_TYPE,
                "ssl.truststore.password=" + tls.password(),
                "ssl.client.auth=none");
    }

    private List<String> jvmOptions() {
        return List.of(
                "-Xms256m",
                "-Xmx1g",
                "-XX:+UseG1GC",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-Dkafka.logs.dir=" + dir.resolve("logs"));
    }

    private void format(Path properties) throws IOException {
        String clusterId = Uuid.randomUuid().toString();
        List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", properties.toString()));
        if (secured) {
            // KRaft keeps SCRAM credentials in its metadata: they exist from the first start on
            for (String user : List.of(BROKER_USER, CLIENT_USER)) {
                args.addAll(List.of(
                        "--add-scram", SASL_MECHANISM + "=[name=" + user + ",password=" + password(user) + "]"));
            }
        }
        ChildJvm formatter = ChildJvm.start(
                "kafka-storage-format",
                ChildJvm.classpathResource("kafka.classpath"),
                jvmOptions(),
                "kafka.tools.StorageTool",
                args,
                dir.resolve("format.out"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (formatter.isAlive()) {
            if (System.nanoTime() > deadline) {
                formatter.kill();
                throw new IllegalStateException("kafka storage format did not finish");
            }
            Ports.sleep(50);
        }
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            throw new IllegalStateException(
                    "kafka storage format failed:\n" + ChildJvm.tail(dir.resolve("format.out"), 30));
        }
    }

    private Path writeConfiguration() throws IOException {
        Files.createDirectories(dir.resolve("logs"));
        Path properties = configuration();
        String listener = secured ? "SASL_SSL" : "PLAINTEXT";
        String listeners = listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort;
        Files.writeString(
                properties,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=" + listeners,
                        "advertised.listeners=" + listener + "://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=" + listener,
                        "listener.security.protocol.map=" + listener + ":" + listener + ",CONTROLLER:PLAINTEXT",
                        securitySettings(),
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
                        // retention as production has it (7 days by record timestamp), looked at every second instead
                        // of
                        // every 5 minutes after 30 s: a test whose records are stamped with a clock far from the
                        // broker's
                        // loses them at once, visibly, not by chance minutes later
                        "log.retention.check.interval.ms=1000",
                        "log.initial.task.delay.ms=1000",
                        ""));
        Files.writeString(
                dir.resolve("log4j2.properties"),
                String.join(
                        "\n",
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
