package dev.recur.ticker.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import dev.recur.common.event.CatchUp;
import dev.recur.common.json.EventJson;
import dev.recur.ticker.topology.Snapshots;
import org.junit.jupiter.api.Test;

class TrackedScheduleTest {

    @Test
    void shouldReadBackEveryFieldWhenAllAreSet() {
        TrackedSchedule schedule = TrackedSchedule.of(Snapshots.schedule(7, "*/5 * * * *")
                .zone("Europe/Berlin")
                .start(Instant.parse("2026-03-01T10:00:00.5Z"))
                .catchUp(CatchUp.SKIP)
                .jitter(30)
                .items(Snapshots.items(3))
                .snapshot());

        TrackedSchedule read = roundTrip(schedule);

        assertThat(read).usingRecursiveComparison().isEqualTo(schedule);
        assertThat(read.items()).isEqualTo(Snapshots.items(3));
        assertThat(read.itemsJson()).isEqualTo(EventJson.write(Snapshots.items(3)));
    }

    @Test
    void shouldKeepAbsentFieldsAbsentWhenOptionalFieldsAreMissing() {
        TrackedSchedule schedule = new TrackedSchedule(
                3,
                null,
                "* * * * *",
                "UTC",
                null,
                null,
                null,
                0,
                0,
                "[]".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        TrackedSchedule read = roundTrip(schedule);

        assertThat(read).usingRecursiveComparison().isEqualTo(schedule);
        assertThat(read.owner()).isNull();
        assertThat(read.start()).isNull();
        assertThat(read.catchUp()).isNull();
    }

    @Test
    void shouldKeepTheTraceContextOfTheSnapshotAndCostNothingWithoutOne() {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        for (CatchUp catchUp : new CatchUp[] {null, CatchUp.FIRE_ALL}) {
            TrackedSchedule untraced = TrackedSchedule.of(Snapshots.schedule(7, "* * * * *")
                    .catchUp(catchUp)
                    .items(Snapshots.items(2))
                    .snapshot());
            TrackedSchedule traced = TrackedSchedule.of(
                    Snapshots.schedule(7, "* * * * *")
                            .catchUp(catchUp)
                            .items(Snapshots.items(2))
                            .snapshot(),
                    traceparent);

            TrackedSchedule read = roundTrip(traced);

            assertThat(read).usingRecursiveComparison().isEqualTo(traced);
            assertThat(read.traceparent()).isEqualTo(traceparent);
            assertThat(read.catchUp()).isEqualTo(catchUp);
            assertThat(roundTrip(untraced).traceparent()).isNull();
            assertThat(TrackedSchedule.SERDE.serializer().serialize("t", traced))
                    .hasSize(TrackedSchedule.SERDE.serializer().serialize("t", untraced).length
                            + Integer.BYTES
                            + traceparent.length());
        }
    }

    private static TrackedSchedule roundTrip(TrackedSchedule schedule) {
        byte[] bytes = TrackedSchedule.SERDE.serializer().serialize("t", schedule);
        return TrackedSchedule.SERDE.deserializer().deserialize("t", bytes);
    }
}
