package dev.recur.ticker.codecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;

import dev.recur.common.event.CatchUp;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.json.EventJson;
import dev.recur.ticker.topology.Snapshots;
import org.junit.jupiter.api.Test;

class SnapshotJsonTest {

    @Test
    void shouldReadTheSameSnapshotAsTheEventMapperWhenInstantsTakeEveryForm() throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < 2_000; i++) {
            Instant start = Instant.ofEpochSecond(
                    random.nextLong(-70_000_000_000L, 250_000_000_000L),
                    random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000) / (int) Math.pow(10, random.nextInt(9)));
            ScheduleSnapshot snapshot = Snapshots.schedule(i + 1, "*/5 * * * *")
                    .start(start)
                    .end(i % 3 == 0 ? null : start.plusMillis(random.nextInt(1_000_000)))
                    .catchUp(CatchUp.SKIP)
                    .snapshot();
            byte[] json = EventJson.write(snapshot);

            assertThat(SnapshotJson.read(json))
                    .as(new String(json, StandardCharsets.UTF_8))
                    .isEqualTo(EventJson.read(json, ScheduleSnapshot.class));
        }
    }

    @Test
    void shouldReadWhatTheFormatterReadsAndRejectWhatItRejectsWhenInstantsAreUnusual() throws Exception {
        int rejected = 0;
        for (String instant : List.of(
                "2026-11-28T12:01:00Z",
                "2026-11-28T12:01:00.5Z",
                "2026-11-28T12:01:00.123456789Z",
                "2016-12-31T23:59:60Z",
                " 2026-11-28T12:01:00Z ",
                "+12026-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z",
                "2024-02-29T00:00:00Z",
                "2026-11-28T24:00:00Z",
                "2026-02-29T00:00:00Z",
                "2026-11-28T12:01:00.Z",
                "2026-11-28T12:01:00.1234567890Z",
                "2026-11-28 12:01:00Z",
                "2026-1x-28T12:01:00Z",
                "2026-11-28T12:01:00+01:00")) {
            byte[] json = snapshotWithStart(instant);
            ScheduleSnapshot expected;
            try {
                expected = EventJson.read(json, ScheduleSnapshot.class);
            } catch (RuntimeException e) {
                rejected++;
                assertThatThrownBy(() -> SnapshotJson.read(json)).as(instant).isInstanceOf(Exception.class);
                continue;
            }
            assertThat(SnapshotJson.read(json)).as(instant).isEqualTo(expected);
        }
        assertThat(rejected).isGreaterThanOrEqualTo(4);
    }

    private static byte[] snapshotWithStart(String instant) {
        String json = new String(
                EventJson.write(
                        Snapshots.schedule(1, "* * * * *").start(Instant.EPOCH).snapshot()),
                StandardCharsets.UTF_8);
        return json.replace("\"1970-01-01T00:00:00Z\"", "\"" + instant + "\"").getBytes(StandardCharsets.UTF_8);
    }
}
