package dev.recur.common.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import dev.recur.testinfra.Infra;
import dev.recur.testinfra.KafkaBroker;
import dev.recur.testinfra.PostgresServer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * common's outbox publisher, the relay of schedule-api and delivery, against a real PostgreSQL and Kafka (here,
 * since test-infra depends on common and not the other way round). The table is the services' outbox shape.
 */
class OutboxPublisherTest {

    private static final long LOCK = 0x7465_7374L;

    private final KafkaBroker kafka = Infra.kafka();
    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private final AtomicInteger producersMade = new AtomicInteger();
    private String topic;

    @BeforeEach
    void freshTableAndTopic() throws SQLException {
        PostgresServer postgres = Infra.postgres();
        postgres.createDatabase("outbox_test");
        dataSource.setUrl(postgres.jdbcUrl("outbox_test"));
        dataSource.setUser(postgres.username());
        dataSource.setPassword(postgres.password());
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS outbox");
            s.execute("""
                    CREATE TABLE outbox (id bigserial PRIMARY KEY, topic text NOT NULL, message_key text NOT NULL,
                        payload bytea, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz,
                        trace_parent text)""");
        }
        topic = "outbox-test-" + UUID.randomUUID();
        kafka.createTopic(topic, 1, Map.of());
    }

    @Test
    void shouldPublishRowsInIdOrderWithTombstonesAndDeleteThem() throws Exception {
        insert(topic, "a", "one");
        insert(topic, "b", null);
        insert(topic, "a", "two");

        try (OutboxPublisher publisher = publisher(Duration.ZERO)) {
            assertThat(publisher.relayBatch()).isEqualTo(3);
            assertThat(publisher.relayBatch()).isZero();
        }

        assertThat(read(topic, 3)).containsExactly("a=one", "b=null", "a=two");
        assertThat(count("SELECT count(*) FROM outbox")).isZero();
    }

    @Test
    void shouldSendARowsTraceContextAsTheRecordsTraceparentHeader() throws Exception {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        insert(topic, "a", "traced");
        execute("UPDATE outbox SET trace_parent = '" + traceparent + "'");
        insert(topic, "b", "untraced");

        try (OutboxPublisher publisher = publisher(Duration.ZERO)) {
            assertThat(publisher.relayBatch()).isEqualTo(2);
        }

        Map<String, String> headers = new HashMap<>();
        Map<String, Object> config = new HashMap<>(kafka.clientProperties());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "outbox-test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (headers.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    var header = r.headers().lastHeader("traceparent");
                    headers.put(r.key(), header == null ? "none" : new String(header.value()));
                }
            }
        }
        assertThat(headers).containsEntry("a", traceparent).containsEntry("b", "none");
    }

    @Test
    void shouldKeepPublishedRowsMarkedSentDuringTheRetentionAndNotSendThemAgain() throws Exception {
        insert(topic, "a", "one");

        try (OutboxPublisher publisher = publisher(Duration.ofHours(1))) {
            assertThat(publisher.relayBatch()).isEqualTo(1);
            insert(topic, "a", "two");
            assertThat(publisher.relayBatch()).isEqualTo(1);
        }

        assertThat(read(topic, 2)).containsExactly("a=one", "a=two");
        assertThat(count("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL"))
                .isEqualTo(2);
    }

    @Test
    void shouldStopAtTheFirstRowItCannotSendAndResumeFromItInOrder() throws Exception {
        insert(topic, "k", "first");
        long stuck = insert("not a valid topic name!", "k", "second");
        insert(topic, "k", "third");

        try (OutboxPublisher publisher = publisher(Duration.ZERO)) {
            assertThat(publisher.relayBatch())
                    .as("the rows before the one that failed")
                    .isEqualTo(1);
            assertThat(count("SELECT count(*) FROM outbox"))
                    .as("the row that failed and every row after it")
                    .isEqualTo(2);
            execute("UPDATE outbox SET topic = '" + topic + "' WHERE id = " + stuck);
            assertThat(publisher.relayBatch()).isEqualTo(2);
        }

        // the row after the failed one was already on its way when the failure came back: it is sent again with
        // the rows the next pass resumes from (at least once), and the rows before the failure are sent once
        List<String> records = read(topic, 4);
        assertThat(records).startsWith("k=first").endsWith("k=second", "k=third");
        assertThat(records).filteredOn("k=first"::equals).hasSize(1);
        assertThat(producersMade.get())
                .as("a failed send replaces the producer")
                .isEqualTo(2);
    }

    @Test
    void shouldPublishNothingWhileAnotherRelayHoldsTheLock() throws Exception {
        insert(topic, "a", "one");

        try (OutboxPublisher publisher = publisher(Duration.ZERO);
                Connection other = dataSource.getConnection()) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
            }
            assertThat(publisher.relayBatch()).isZero();
            other.rollback();
            assertThat(publisher.relayBatch()).isEqualTo(1);
        }
        assertThat(read(topic, 1)).containsExactly("a=one");
    }

    private OutboxPublisher publisher(Duration retention) {
        return new OutboxPublisher(dataSource, this::producer, new OutboxPublisher.Settings(LOCK, 100, retention));
    }

    private Producer<String, byte[]> producer() {
        producersMade.incrementAndGet();
        Map<String, Object> config = new HashMap<>(kafka.clientProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private long insert(String topic, String key, String payload) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "INSERT INTO outbox (topic, message_key, payload) VALUES (?, ?, ?) RETURNING id")) {
            s.setString(1, topic);
            s.setString(2, key);
            s.setBytes(3, payload == null ? null : payload.getBytes());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The topic's records as key=value, in offset order (one partition). */
    private List<String> read(String topic, int expected) {
        Map<String, Object> config = new HashMap<>(kafka.clientProperties());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "outbox-test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.add(r.key() + "=" + (r.value() == null ? "null" : new String(r.value())));
                }
            }
            // anything beyond the expected records would be a repeat
            consumer.poll(Duration.ofMillis(500)).forEach(r -> seen.add(r.key() + "=" + new String(r.value())));
        }
        return seen;
    }
}
