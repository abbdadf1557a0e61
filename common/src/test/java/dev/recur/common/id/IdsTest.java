package dev.recur.common.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdsTest {

    private static final long SCHEDULE_ID = 3809594044634907291L;

    // vectors computed once (and cross-checked with an independent Python implementation): if one
    // changes, every stored run and job id would no longer match its redelivered message
    @ParameterizedTest
    @CsvSource({
        "3809594044634907291, 2026-11-29T16:00:00Z, 6679333184223785291",
        "1,                   1970-01-01T00:00:00Z, 368230646497917514",
        "9223372036854775807, 2032-12-01T16:00:00Z, 7280696444837180329",
    })
    void shouldDeriveKnownRunIdWhenGivenFixedInput(long scheduleId, String scheduledFor, long expected) {
        assertThat(Ids.runId(scheduleId, Instant.parse(scheduledFor))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "6679333184223785291, 0,          340607039567941077",
        "6679333184223785291, 1,          6944446317513823467",
        "1,                   0,          6154633110976526570",
        "9223372036854775807, 2147483647, 3714603834438868211",
    })
    void shouldDeriveKnownJobIdWhenGivenFixedInput(long runId, int itemIndex, long expected) {
        assertThat(Ids.jobId(runId, itemIndex)).isEqualTo(expected);
    }

    @Test
    void shouldIgnoreSubSecondPartsWhenDerivingRunId() {
        Instant minute = Instant.parse("2026-11-29T16:00:00Z");

        assertThat(Ids.runId(SCHEDULE_ID, minute.plusMillis(999))).isEqualTo(Ids.runId(SCHEDULE_ID, minute));
    }

    @Test
    void shouldDeriveDistinctPositiveRunIdsWhenInputsDiffer() {
        Set<Long> ids = new HashSet<>();
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        for (long scheduleId = 1; scheduleId <= 50; scheduleId++) {
            for (int minute = 0; minute < 1000; minute++) {
                ids.add(Ids.runId(scheduleId, start.plusSeconds(60L * minute)));
            }
        }

        assertThat(ids).hasSize(50_000).allMatch(id -> id > 0);
    }

    @Test
    void shouldDeriveDistinctPositiveJobIdsWhenInputsDiffer() {
        Set<Long> ids = new HashSet<>();
        for (long runId = 1; runId <= 100; runId++) {
            for (int item = 0; item < 500; item++) {
                ids.add(Ids.jobId(runId, item));
            }
        }

        assertThat(ids).hasSize(50_000).allMatch(id -> id > 0);
    }

    @Test
    void shouldRejectNegativeItemIndex() {
        assertThatThrownBy(() -> Ids.jobId(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldDrawPositiveDistinctScheduleIdsWhenRandom() {
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(Ids.newScheduleId());
        }

        assertThat(ids).hasSize(10_000).allMatch(id -> id > 0);
    }

    @Test
    void shouldRepeatScheduleIdWhenRandomGeneratorIsSeeded() {
        assertThat(Ids.newScheduleId(new SplittableRandom(42))).isEqualTo(4456085495900499605L);
    }

    @Test
    void shouldNeverReturnZeroWhenGeneratorYieldsZeroOrSignBitOnly() {
        long[] draws = {0, Long.MIN_VALUE, -1};
        RandomGenerator scripted = new RandomGenerator() {
            private int next;

            @Override
            public long nextLong() {
                return draws[next++];
            }
        };

        assertThat(Ids.newScheduleId(scripted)).isEqualTo(Long.MAX_VALUE);
    }
}
