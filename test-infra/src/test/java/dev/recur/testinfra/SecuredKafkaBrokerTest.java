package dev.recur.testinfra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.recur.common.kafka.KafkaClients;
import dev.recur.common.kafka.KafkaConnectionCheck;
import dev.recur.common.kafka.KafkaMisconfiguredException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SASL_SSL broker, and common's start-up check against it: the settings that work pass, and each way of
 * getting them wrong stops with a message naming the setting.
 */
class SecuredKafkaBrokerTest {

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(3);
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.secured(Infra.freshDir("kafka-secured"), 0);
        broker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.stop();
        }
    }

    @Test
    void shouldCommitTransactionsAndServeReadCommittedConsumersOverSaslSsl() {
        String topic = "secured-" + UUID.randomUUID();
        broker.createTopic(topic, 1, Map.of());
        KafkaClients clients = new KafkaClients(broker.clientProperties());
        try (KafkaProducer<String, String> producer = clients.producer(
                        Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "secured-test"),
                        new StringSerializer(),
                        new StringSerializer());
                KafkaConsumer<String, String> consumer = clients.consumer(
                        Map.of(
                                ConsumerConfig.GROUP_ID_CONFIG, "secured-test",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                        new StringDeserializer(),
                        new StringDeserializer())) {
            // the commit's markers travel over the broker's own SASL_SSL listener
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();

            consumer.subscribe(List.of(topic));
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(record.value());
                }
            }
            assertThat(seen).containsExactly("committed");
        }
    }

    @Test
    void shouldPassTheStartupCheckWhenTheSettingsMatchTheListener() {
        KafkaConnectionCheck.verify(new KafkaClients(broker.clientProperties()), CHECK_TIMEOUT);
    }

    @Test
    void shouldNameTheSecurityProtocolWhenAServiceConnectsInPlaintext() {
        KafkaClients plaintext = new KafkaClients(Map.of("bootstrap.servers", broker.bootstrapServers()));

        assertThatThrownBy(() -> KafkaConnectionCheck.verify(plaintext, CHECK_TIMEOUT))
                .isInstanceOf(KafkaMisconfiguredException.class)
                .hasMessageContaining("expects TLS")
                .hasMessageContaining("kafka.security.protocol=PLAINTEXT")
                .hasMessageContaining("SASL_SSL");
    }

    /**
     * A plaintext Kafka client reads the TLS listener's alert as the size of a response and allocates it (about 336
     * MB, KAFKA-4090): the check must find the mismatch before any client of Kafka's talks to the listener, or a
     * service with a small heap (and {@code ExitOnOutOfMemoryError}, as in production) dies without the message.
     */
    @Test
    void shouldNameTheSecurityProtocolWithoutAPlaintextClientReadingTheTlsListener() throws Exception {
        Path log = Infra.freshDir("kafka-check-small-heap").resolve("check.log");
        ChildJvm check = ChildJvm.start(
                "plaintext check",
                List.of(System.getProperty("java.class.path").split(File.pathSeparator)),
                List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"),
                PlaintextCheck.class.getName(),
                List.of(broker.bootstrapServers()),
                log);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (check.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(check.isAlive())
                    .as("the check still runs; %s", ChildJvm.tail(log, 40))
                    .isFalse();
        } finally {
            check.kill();
        }
        assertThat(ChildJvm.tail(log, 200))
                .contains(PlaintextCheck.STOPPED + "Kafka at " + broker.bootstrapServers() + " expects TLS")
                .doesNotContain("OutOfMemoryError");
    }

    /** The check of a plaintext configuration in a JVM of its own, for the test above. */
    public static final class PlaintextCheck {

        static final String STOPPED = "stopped: ";

        public static void main(String[] args) {
            try {
                KafkaConnectionCheck.verify(new KafkaClients(Map.of("bootstrap.servers", args[0])), CHECK_TIMEOUT);
                System.out.println("passed");
            } catch (KafkaMisconfiguredException e) {
                System.out.println(STOPPED + e.getMessage());
            }
            System.exit(0);
        }
    }

    @Test
    void shouldNameTheSaslSettingsWhenTheBrokerRejectsTheLogin() {
        Map<String, String> wrongPassword = new HashMap<>(broker.clientProperties());
        wrongPassword.put("sasl.jaas.config", EmbeddedKafkaBroker.scramLogin(EmbeddedKafkaBroker.CLIENT_USER, "wrong"));

        assertThatThrownBy(() -> KafkaConnectionCheck.verify(new KafkaClients(wrongPassword), CHECK_TIMEOUT))
                .isInstanceOf(KafkaMisconfiguredException.class)
                .hasMessageContaining("rejected this service's SASL login")
                .hasMessageContaining("kafka.sasl.jaas.config")
                .hasMessageNotContaining("wrong");
    }

    @Test
    void shouldNameTheTrustStoreWhenTheBrokerCertificateIsNotTrusted() {
        Map<String, String> noTrustStore = new HashMap<>(broker.clientProperties());
        noTrustStore.keySet().removeIf(key -> key.startsWith("ssl.truststore."));

        assertThatThrownBy(() -> KafkaConnectionCheck.verify(new KafkaClients(noTrustStore), CHECK_TIMEOUT))
                .isInstanceOf(KafkaMisconfiguredException.class)
                .hasMessageContaining("TLS handshake")
                .hasMessageContaining("kafka.ssl.truststore");
    }

    @Test
    void shouldLetTheClientsRetryWhenNoBrokerListens() {
        KafkaClients nowhere = new KafkaClients(Map.of("bootstrap.servers", "127.0.0.1:" + Ports.free()));

        KafkaConnectionCheck.verify(nowhere, Duration.ofSeconds(1));
    }
}
