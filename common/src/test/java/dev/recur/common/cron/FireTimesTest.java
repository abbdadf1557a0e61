package dev.recur.common.cron;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class FireTimesTest {

    private static final CronExpression EVERY_MINUTE = CronExpression.parse("* * * * *");

    private static Instant t(String time) {
        return Instant.parse("2026-12-07T" + time + "Z");
    }

    @Test
    void shouldGiveTheFirstMatchStrictlyAfterTheInstant() {
        FireTimes times = new FireTimes(EVERY_MINUTE, ZoneOffset.UTC, null, null);

        assertThat(times.nextAfter(t("01:22:58"))).contains(t("01:23:00"));
        assertThat(times.nextAfter(t("01:23:00"))).contains(t("01:24:00"));
        assertThat(times.nextAfter(t("01:22:59.999999999"))).contains(t("01:23:00"));
    }

    @Test
    void shouldNotFireBeforeAStartThatIsNotOnAMinute() {
        // the API once took "just before the start" as start - 1 s, the ticker as start - 1 ns: 12:00 against 12:01
        FireTimes times = new FireTimes(EVERY_MINUTE, ZoneOffset.UTC, t("12:00:00.500"), null);

        assertThat(times.nextAfter(t("11:00:00"))).contains(t("12:01:00"));
        assertThat(new FireTimes(EVERY_MINUTE, ZoneOffset.UTC, t("12:00:00"), null).nextAfter(t("11:00:00")))
                .contains(t("12:00:00"));
    }

    @Test
    void shouldIncludeTheEndAndNothingAfterIt() {
        FireTimes times =
                new FireTimes(CronExpression.parse("*/10 * * * *"), ZoneId.of("Europe/Vilnius"), null, t("10:20:00"));

        assertThat(times.nextAfter(t("10:10:00"))).contains(t("10:20:00"));
        assertThat(times.nextAfter(t("10:20:00"))).isEmpty();
        assertThat(times.firesAfter(t("10:19:59"))).isTrue();
        assertThat(times.firesAfter(t("10:20:00"))).isFalse();
    }
}
