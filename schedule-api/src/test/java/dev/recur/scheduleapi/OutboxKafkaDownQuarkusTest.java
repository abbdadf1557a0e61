package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.KafkaBroker;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The transactional outbox: changes made while Kafka is down reach the topic once it is back, in order, once each;
 * their rows stay in the outbox until then and are deleted once acknowledged (the default retention, none).
 */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class OutboxKafkaDownQuarkusTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void shouldPublishEveryChangeOnceInOrderWhenKafkaComesBack() {
        KafkaBroker kafka = Infra.kafka();
        String user = Api.newUser();
        try (KafkaConsumer<String, byte[]> consumer = consumerAtEnd(kafka)) {
            long a;
            long b;
            kafka.stop();
            try {
                a = Api.createSchedule(user);
                b = Api.createSchedule(user);
                as(user).body(Map.of("active", false))
                        .put("/v1/schedules/" + a + "/state")
                        .then()
                        .statusCode(202);
                as(user).body(Map.of("active", true))
                        .put("/v1/schedules/" + a + "/state")
                        .then()
                        .statusCode(202);
                as(user).delete("/v1/schedules/" + b).then().statusCode(204);
                // unacknowledged, so kept: the relay has been trying all along
                await().during(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(outboxRows(a, b)).isEqualTo(5));
            } finally {
                kafka.start();
            }

            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().equals(Topics.key(a)) || r.key().equals(Topics.key(b))) {
                        seen.add(r);
                    }
                });
                assertThat(seen).hasSizeGreaterThanOrEqualTo(5);
            });
            // nothing more may arrive: each change exactly once
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().equals(Topics.key(a)) || r.key().equals(Topics.key(b))) {
                        seen.add(r);
                    }
                });
                assertThat(seen).hasSize(5);
            });

            List<String> ofA = seen.stream()
                    .filter(r -> r.key().equals(Topics.key(a)))
                    .map(r -> snapshot(r).revision() + ":" + snapshot(r).active())
                    .toList();
            assertThat(ofA).containsExactly("1:true", "2:false", "3:true");
            List<ConsumerRecord<String, byte[]>> ofB =
                    seen.stream().filter(r -> r.key().equals(Topics.key(b))).toList();
            assertThat(ofB).hasSize(2);
            assertThat(snapshot(ofB.get(0)).revision()).isEqualTo(1);
            assertThat(snapshot(ofB.get(0)).owner()).isEqualTo(user);
            assertThat(snapshot(ofB.get(0)).items()).hasSize(1);
            assertThat(ofB.get(1).value()).as("deletion is a tombstone").isNull();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(outboxRows(a, b))
                            .as("acknowledged rows are deleted")
                            .isZero());
        }
    }

    private long outboxRows(long a, long b) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count =
                        connection.prepareStatement("SELECT count(*) FROM outbox WHERE message_key IN (?, ?)")) {
            count.setString(1, Topics.key(a));
            count.setString(2, Topics.key(b));
            try (ResultSet rs = count.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static ScheduleSnapshot snapshot(ConsumerRecord<String, byte[]> record) {
        return EventJson.read(record.value(), ScheduleSnapshot.class);
    }

    /** A consumer of recur.schedules positioned at the end of every partition. */
    static KafkaConsumer<String, byte[]> consumerAtEnd(KafkaBroker kafka) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "outbox-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.SCHEDULES).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }
}
