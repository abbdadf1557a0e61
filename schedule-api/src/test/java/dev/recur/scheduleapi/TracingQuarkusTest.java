package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import dev.recur.common.event.Topics;
import dev.recur.common.trace.Tracing;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.trace.TestTracing;
import dev.recur.testinfra.trace.TracedProfile;
import io.opentelemetry.api.trace.SpanKind;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * With tracing on, each snapshot the API writes carries the trace context of the request that wrote it, from the
 * outbox row to the {@code traceparent} header of its {@code recur.schedules} record, where the ticker links to it.
 */
@QuarkusTest
@TestProfile(TracedProfile.class)
@QuarkusTestResource(ScheduleApiTestResources.class)
class TracingQuarkusTest {

    @Test
    void shouldCarryTheContextOfTheRequestThatWroteEachSnapshotToItsRecord() {
        String user = Api.newUser();
        long id = Api.createSchedule(user);
        as(user).body(Map.of("active", false))
                .put("/v1/schedules/" + id + "/state")
                .then()
                .statusCode(202);

        List<String> traceparents = traceparentsOf(id, 2);

        assertThat(traceparents).hasSize(2).doesNotContainNull();
        assertThat(TestTracing.traceId(traceparents.get(0)))
                .as("one trace per request")
                .isNotEqualTo(TestTracing.traceId(traceparents.get(1)));
        for (String traceparent : traceparents) {
            assertThat(TestTracing.SPANS.getFinishedSpanItems())
                    .as("the request's server span")
                    .anySatisfy(span -> {
                        assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
                        assertThat(span.getTraceId()).isEqualTo(TestTracing.traceId(traceparent));
                        assertThat(span.getName()).contains("/v1/schedules");
                    });
        }
    }

    /** The traceparent headers of the schedule's first {@code count} records, in order (null: none). */
    private static List<String> traceparentsOf(long id, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "tracing-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.SCHEDULES));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().equals(Topics.key(id))) {
                        Header header = record.headers().lastHeader(Tracing.TRACEPARENT);
                        found.add(header == null ? null : new String(header.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return found;
    }
}
