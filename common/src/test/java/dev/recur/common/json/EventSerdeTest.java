package dev.recur.common.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import dev.recur.common.event.DeliveryDeadLetter;
import dev.recur.common.event.DeliveryReplay;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobRecord;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.event.ScheduleStats;
import dev.recur.common.event.Topics;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventSerdeTest {

    private final EventSerializer<Object> serializer = new EventSerializer<>();

    static Stream<Arguments> deserializers() {
        return Stream.of(
                Arguments.of(ScheduleSnapshotDeserializer.class, ScheduleSnapshot.class, "schedule_snapshot.json"),
                Arguments.of(DueRunDeserializer.class, DueRun.class, "due_run.json"),
                Arguments.of(JobResultDeserializer.class, JobResult.class, "job_result.json"),
                Arguments.of(ScheduleStatsDeserializer.class, ScheduleStats.class, "schedule_stats.json"),
                Arguments.of(JobRecordDeserializer.class, JobRecord.class, "job_record.json"),
                Arguments.of(
                        DeliveryDeadLetterDeserializer.class, DeliveryDeadLetter.class, "delivery_dead_letter.json"),
                Arguments.of(DeliveryReplayDeserializer.class, DeliveryReplay.class, "delivery_replay.json"));
    }

    // Kafka instantiates a deserializer named in configuration through its no-argument constructor
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("deserializers")
    void shouldRoundTripWhenDeserializerIsCreatedFromConfiguration(
            Class<? extends Deserializer<?>> deserializerClass, Class<?> eventType, String goldenFile)
            throws ReflectiveOperationException, IOException {
        Deserializer<?> deserializer = deserializerClass.getConstructor().newInstance();
        Object event = EventJson.read(golden(goldenFile), eventType);

        Object read = deserializer.deserialize(Topics.SCHEDULES, serializer.serialize(Topics.SCHEDULES, event));

        assertThat(read).isInstanceOf(eventType).isEqualTo(event);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("deserializers")
    void shouldReadTombstoneAsNullWhenValueIsNullOrEmpty(Class<? extends Deserializer<?>> deserializerClass)
            throws ReflectiveOperationException {
        Deserializer<?> deserializer = deserializerClass.getConstructor().newInstance();

        assertThat(deserializer.deserialize(Topics.SCHEDULES, null)).isNull();
        assertThat(deserializer.deserialize(Topics.SCHEDULES, new byte[0])).isNull();
    }

    @Test
    void shouldWriteTombstoneWhenEventIsNull() {
        assertThat(serializer.serialize(Topics.SCHEDULES, null)).isNull();
    }

    @Test
    void shouldThrowWhenValueIsNotAnEvent() {
        byte[] garbage = "[1, 2".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> new DueRunDeserializer().deserialize(Topics.DUE_RUNS, garbage))
                .isInstanceOf(EventSerializationException.class);
    }

    private static byte[] golden(String file) throws IOException {
        try (InputStream in = EventSerdeTest.class.getResourceAsStream("/events/" + file)) {
            return in.readAllBytes();
        }
    }
}
