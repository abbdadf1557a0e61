package dev.recur.testinfra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

class InfraTest {

    @Test
    void shouldDeleteDataDirectoriesOfTestJvmsThatNoLongerRunWhenMakingAFreshOne()
            throws IOException, InterruptedException {
        // a pid that ran and has exited: the data directory of an earlier test JVM
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Path leftover = Files.createDirectories(
                Infra.baseDir().resolve("leftover-" + exited.pid()).resolve("data"));
        Files.writeString(leftover.resolve("file"), "x");
        Path leftoverWithSuffix = Files.createDirectories(Infra.baseDir().resolve("leftover-" + exited.pid() + "-123"));
        Path alive = Files.createDirectories(Infra.baseDir().resolve("leftover-1-123"));

        Path fresh = Infra.freshDir("leftover");

        assertThat(fresh).isDirectory();
        assertThat(fresh.getFileName().toString())
                .startsWith("leftover-" + ProcessHandle.current().pid() + "-");
        assertThat(leftover.getParent()).doesNotExist();
        assertThat(leftoverWithSuffix).doesNotExist();
        assertThat(alive).as("pid 1 runs: not a leftover").isDirectory();
        Infra.deleteRecursively(fresh);
        Infra.deleteRecursively(alive);
        assertThat(fresh).doesNotExist();
    }

    /**
     * A second copy of Infra in this JVM (the one @QuarkusTest classes load in their own class loader) gets a folder of
     * its own: one folder per name and pid was emptied under the other copy's running broker.
     */
    @Test
    void shouldKeepAnEarlierDirectoryOfThisJvmWhenMakingAnotherOne() throws IOException {
        Path first = Infra.freshDir("twice");
        Files.writeString(first.resolve("in-use"), "x");

        Path second = Infra.freshDir("twice");

        assertThat(second).isNotEqualTo(first).isDirectory();
        assertThat(first.resolve("in-use")).exists();
        Infra.deleteRecursively(first);
        Infra.deleteRecursively(second);
    }

    @Test
    void shouldCommitTransactionsAndHideAbortedOnesWhenBrokerIsEmbedded() {
        KafkaBroker kafka = Infra.kafka();
        String topic = "infra-test-" + UUID.randomUUID();
        kafka.createTopic(topic, 2, Map.of());

        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "infra-test-" + UUID.randomUUID());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted"));
            producer.flush();
            producer.abortTransaction();
        }

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "infra-test");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    seen.add(r.value());
                }
            }
            // one more poll: an aborted record would show up right behind the committed one
            consumer.poll(Duration.ofSeconds(1)).forEach(r -> seen.add(r.value()));
        }
        assertThat(seen).containsExactly("committed");
    }

    @Test
    void shouldRunQueriesWhenPostgresIsEmbedded() throws Exception {
        PostgresServer postgres = Infra.postgres();
        postgres.createDatabase("infra_test");
        try (Connection connection = DriverManager.getConnection(
                        postgres.jdbcUrl("infra_test"), postgres.username(), postgres.password());
                Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS t (id bigint PRIMARY KEY, v text)");
            s.execute("INSERT INTO t VALUES (1, 'one') ON CONFLICT (id) DO UPDATE SET v = excluded.v");
            try (ResultSet rs = s.executeQuery("SELECT v, version() FROM t WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("one");
                assertThat(rs.getString(2)).startsWith("PostgreSQL 17");
            }
        }
    }

    @Test
    void shouldStoreAndReadObjectsWhenS3ServerIsEmbedded() {
        S3Server s3 = Infra.s3();
        s3.createBucket("infra-test");
        try (S3Client client = s3.client()) {
            client.putObject(
                    b -> b.bucket("infra-test").key("a/b/1.json").contentType("application/json"),
                    RequestBody.fromString("{\"x\":1}"));
            String body = client.getObjectAsBytes(b -> b.bucket("infra-test").key("a/b/1.json"))
                    .asUtf8String();
            assertThat(body).isEqualTo("{\"x\":1}");
            assertThat(client.listObjectsV2(b -> b.bucket("infra-test").prefix("a/"))
                            .contents())
                    .extracting(o -> o.key())
                    .containsExactly("a/b/1.json");
        }
    }

    @Test
    void shouldLeaveNoProcessWhenBrokerStopsAndComeBackWithItsData() {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(Infra.freshDir("kafka-restart"), 0);
        broker.start();
        long pid = broker.pid();
        broker.createTopic("survives-restart", 1, Map.of());
        broker.stop();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));

        broker.start();
        try (var admin = broker.admin()) {
            assertThat(admin.listTopics().names().get()).contains("survives-restart");
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            broker.stop();
        }
    }
}
