package dev.recur.ticker.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.recur.common.id.Ids;

class RunIdsTest {

    @Test
    void shouldDeriveTheSameIdsAsCommonWhenOneDigestServesManyRuns() {
        RunIds runIds = new RunIds();
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            long scheduleId = i < 3 ? i + 1 : Ids.newScheduleId(random);
            Instant minute = Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE) / 60 * 60L);
            assertThat(runIds.of(scheduleId, minute.getEpochSecond())).as("run of %d at %s", scheduleId, minute)
                    .isEqualTo(Ids.runId(scheduleId, minute));
        }
    }
}
