package dev.recur.ticker.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.recur.common.event.CatchUp;
import dev.recur.common.json.EventJson;

class TrackedScheduleTest {

    @Test
    void shouldReadBackEveryFieldWhenAllAreSet() {
        TrackedSchedule schedule = TrackedSchedule.of(Snapshots.schedule(7, "*/5 * * * *").zone("Europe/Berlin")
                .start(Instant.parse("2026-03-01T10:00:00.5Z")).catchUp(CatchUp.SKIP).jitter(30)
                .items(Snapshots.items(3)).snapshot());

        TrackedSchedule read = roundTrip(schedule);

        assertThat(read).usingRecursiveComparison().isEqualTo(schedule);
        assertThat(read.items()).isEqualTo(Snapshots.items(3));
        assertThat(read.itemsJson()).isEqualTo(EventJson.write(Snapshots.items(3)));
    }

    @Test
    void shouldKeepAbsentFieldsAbsentWhenOptionalFieldsAreMissing() {
        TrackedSchedule schedule = new TrackedSchedule(3, null, "* * * * *", "UTC", null, null, null, 0, 0,
                "[]".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        TrackedSchedule read = roundTrip(schedule);

        assertThat(read).usingRecursiveComparison().isEqualTo(schedule);
        assertThat(read.owner()).isNull();
        assertThat(read.start()).isNull();
        assertThat(read.catchUp()).isNull();
    }

    private static TrackedSchedule roundTrip(TrackedSchedule schedule) {
        byte[] bytes = TrackedSchedule.SERDE.serializer().serialize("t", schedule);
        return TrackedSchedule.SERDE.deserializer().deserialize("t", bytes);
    }
}
