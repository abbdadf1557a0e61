package dev.recur.common.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronExpressionTest {

    private static final ZoneId UTC = ZoneOffset.UTC;

    // after and expected are offset date-times so that DST cases show the local clock
    @ParameterizedTest(name = "[{index}] {0} in {1} after {2} -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                // leap days and short months
                "0 0 29 2 *          | UTC | 2027-01-01T00:00Z | 2028-02-29T00:00Z",
                "0 0 29 2 *          | UTC | 2028-02-29T00:00Z | 2032-02-29T00:00Z",
                "0 0 29 2 *          | UTC | 2096-03-01T00:00Z | 2104-02-29T00:00Z",
                "0 0 31 * *          | UTC | 2026-04-01T00:00Z | 2026-05-31T00:00Z",
                "0 0 31 * *          | UTC | 2026-05-31T00:00Z | 2026-07-31T00:00Z",
                "0 0 31 * *          | UTC | 2026-01-31T00:00Z | 2026-03-31T00:00Z",
                "0 0 30 * *          | UTC | 2026-01-30T00:00Z | 2026-03-30T00:00Z",
                // Vixie OR rule: both day fields restricted
                "0 9 1-7 * 1         | UTC | 2026-01-07T09:00Z | 2026-01-12T09:00Z",
                "0 9 1-7 * 1         | UTC | 2026-01-26T09:00Z | 2026-02-01T09:00Z",
                "0 9 1-7 * 1         | UTC | 2026-02-01T09:00Z | 2026-02-02T09:00Z",
                "0 0 13 * 5          | UTC | 2026-01-01T00:00Z | 2026-01-02T00:00Z",
                "0 0 13 * 5          | UTC | 2026-01-09T00:00Z | 2026-01-13T00:00Z",
                "0 0 13 * 5          | UTC | 2026-01-13T00:00Z | 2026-01-16T00:00Z",
                "0 0 30 2 1          | UTC | 2026-01-27T00:00Z | 2026-02-02T00:00Z",
                // one day field is *: only the other restricts
                "0 0 13 * *          | UTC | 2026-01-02T00:00Z | 2026-01-13T00:00Z",
                "0 0 * * 5           | UTC | 2026-01-09T00:00Z | 2026-01-16T00:00Z",
                // a field starting with * counts as unrestricted (Vixie): odd days that are Mondays
                "0 0 */2 * 1         | UTC | 2026-01-01T00:00Z | 2026-01-05T00:00Z",
                "0 0 */2 * 1         | UTC | 2026-01-05T00:00Z | 2026-01-19T00:00Z",
                // names in any case, day of week 0 and 7
                "0 12 * jan-Mar Mon-fri | UTC | 2026-03-31T12:00Z | 2027-01-01T12:00Z",
                "0 0 * * 7           | UTC | 2026-01-01T00:00Z | 2026-01-04T00:00Z",
                "0 0 * * 0           | UTC | 2026-01-01T00:00Z | 2026-01-04T00:00Z",
                "0 0 * * sun         | UTC | 2026-01-01T00:00Z | 2026-01-04T00:00Z",
                "0 0 * * 5-7         | UTC | 2026-01-04T00:00Z | 2026-01-09T00:00Z",
                "0 0 * * SUN-SAT     | UTC | 2026-01-01T00:00Z | 2026-01-02T00:00Z",
                "0 0 1 jul,DEC *     | UTC | 2026-01-01T00:00Z | 2026-07-01T00:00Z",
                // macros
                "@yearly             | UTC | 2026-06-15T00:00Z | 2027-01-01T00:00Z",
                "@annually           | UTC | 2026-06-15T00:00Z | 2027-01-01T00:00Z",
                "@monthly            | UTC | 2026-06-15T00:00Z | 2026-07-01T00:00Z",
                "@weekly             | UTC | 2026-06-15T00:00Z | 2026-06-21T00:00Z",
                "@daily              | UTC | 2026-06-15T00:00Z | 2026-06-16T00:00Z",
                "@midnight           | UTC | 2026-06-15T00:00Z | 2026-06-16T00:00Z",
                "@HOURLY             | UTC | 2026-06-15T10:20Z | 2026-06-15T11:00Z",
                // steps, also on ranges and from a start value
                "5-10/2 * * * *      | UTC | 2026-01-01T00:05Z | 2026-01-01T00:07Z",
                "5-10/2 * * * *      | UTC | 2026-01-01T00:09Z | 2026-01-01T01:05Z",
                "*/15 * * * *        | UTC | 2026-01-01T10:00:30Z | 2026-01-01T10:15Z",
                "5/15 * * * *        | UTC | 2026-01-01T00:50Z | 2026-01-01T01:05Z",
                "0 */6 * * *         | UTC | 2026-01-01T13:00Z | 2026-01-01T18:00Z",
                "0 0 1-31/10 * *     | UTC | 2026-04-21T00:00Z | 2026-05-01T00:00Z",
                "0 0 1 */4 *         | UTC | 2026-02-01T00:00Z | 2026-05-01T00:00Z",
                "0,30 8-9 * * *      | UTC | 2026-01-01T09:30Z | 2026-01-02T08:00Z",
                // minute resolution, strictly after, year boundary
                "* * * * *           | UTC | 2026-01-01T10:00:30Z | 2026-01-01T10:01Z",
                "* * * * *           | UTC | 2026-01-01T10:00Z | 2026-01-01T10:01Z",
                "* * * * *           | UTC | 2026-12-31T23:59Z | 2027-01-01T00:00Z",
                "0 0 1 1 *           | UTC | 2026-12-31T23:59:59Z | 2027-01-01T00:00Z",
                "59 23 31 12 *       | UTC | 2026-12-31T23:59Z | 2027-12-31T23:59Z",
                // the zone decides, not UTC
                "0 16 * * *          | Asia/Tokyo | 2026-11-28T17:40Z | 2026-11-29T16:00+09:00",
                // Europe/Berlin spring forward 2026-03-29: 02:00-02:59 does not exist and is skipped
                "30 2 * * *          | Europe/Berlin | 2026-03-28T12:00Z | 2026-03-30T02:30+02:00",
                "30 2 29 3 *         | Europe/Berlin | 2026-01-01T00:00Z | 2027-03-29T02:30+02:00",
                "* * * * *           | Europe/Berlin | 2026-03-29T01:59+01:00 | 2026-03-29T03:00+02:00",
                "0 * * * *           | Europe/Berlin | 2026-03-29T01:00+01:00 | 2026-03-29T03:00+02:00",
                // Europe/Berlin fall back 2026-10-25: 02:00-02:59 happens twice and fires once, the first time
                "30 2 * * *          | Europe/Berlin | 2026-10-24T12:00Z | 2026-10-25T02:30+02:00",
                "30 2 * * *          | Europe/Berlin | 2026-10-25T02:30+02:00 | 2026-10-26T02:30+01:00",
                "0 * * * *           | Europe/Berlin | 2026-10-25T02:00+02:00 | 2026-10-25T03:00+01:00",
                "*/15 * * * *        | Europe/Berlin | 2026-10-25T02:10+01:00 | 2026-10-25T03:00+01:00",
                "*/15 * * * *        | Europe/Berlin | 2026-10-25T02:50+02:00 | 2026-10-25T03:00+01:00",
                // America/New_York spring forward 2026-03-08 and fall back 2026-11-01
                "30 2 * * *          | America/New_York | 2026-03-07T12:00Z | 2026-03-09T02:30-04:00",
                "0 9 * * *           | America/New_York | 2026-03-07T15:00Z | 2026-03-08T09:00-04:00",
                "30 1 * * *          | America/New_York | 2026-10-31T12:00Z | 2026-11-01T01:30-04:00",
                "30 1 * * *          | America/New_York | 2026-11-01T01:30-04:00 | 2026-11-02T01:30-05:00",
                "30 1 * * *          | America/New_York | 2026-11-01T01:30-05:00 | 2026-11-02T01:30-05:00",
            })
    void shouldFindNextFireTimeWhenExpressionIsValid(String expression, String zone, String after, String expected) {
        Optional<Instant> next = CronExpression.parse(expression).next(instant(after), ZoneId.of(zone));

        assertThat(next).contains(instant(expected));
    }

    @Test
    void shouldFireOnFirstWeekOrMondaysWhenBothDayFieldsAreRestricted() {
        List<Instant> times = CronExpression.parse("0 9 1-7 * 1").nextTimes(instant("2026-01-01T00:00Z"), UTC, 12);

        assertThat(times)
                .extracting(time -> time.atZone(UTC).toLocalDate().toString())
                .containsExactly(
                        "2026-01-01",
                        "2026-01-02",
                        "2026-01-03",
                        "2026-01-04",
                        "2026-01-05",
                        "2026-01-06",
                        "2026-01-07",
                        "2026-01-12",
                        "2026-01-19",
                        "2026-01-26",
                        "2026-02-01",
                        "2026-02-02");
    }

    @Test
    void shouldFireEveryMinuteOnceWhenClockFallsBack() {
        Instant start = instant("2026-10-25T01:55+02:00");
        Instant end = instant("2026-10-25T03:05+01:00");

        List<Instant> times = CronExpression.parse("*/5 * * * *").nextTimes(start, ZoneId.of("Europe/Berlin"), 100);

        // 02:00..02:55 once in CEST, then 03:00 and 03:05 CET: 14 fires over a span of 2h10m
        assertThat(times.stream().filter(time -> !time.isAfter(end)))
                .hasSize(14)
                .first()
                .isEqualTo(instant("2026-10-25T02:00+02:00"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 30 2 *", "0 0 31 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 feb *"})
    void shouldNeverFireWhenNoMonthHasTheDay(String expression) {
        CronExpression cron = CronExpression.parse(expression);

        assertThat(cron.neverFires()).isTrue();
        assertThat(cron.next(instant("2026-01-01T00:00Z"), UTC)).isEmpty();
        assertThat(cron.nextTimes(instant("2026-01-01T00:00Z"), UTC, 3)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 29 2 *", "0 0 30 2 1", "0 0 31 * *", "* * * * *"})
    void shouldFireWhenSomeDateMatches(String expression) {
        assertThat(CronExpression.parse(expression).neverFires()).isFalse();
    }

    @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
    @MethodSource("invalidExpressions")
    void shouldRejectNamingTheFieldWhenExpressionIsInvalid(String expression, String field) {
        assertThatThrownBy(() -> CronExpression.parse(expression))
                .isInstanceOfSatisfying(
                        InvalidCronException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageStartingWith(field + ": ");
    }

    static Stream<Arguments> invalidExpressions() {
        return Stream.of(
                Arguments.of(null, "expression"),
                Arguments.of("", "expression"),
                Arguments.of("   ", "expression"),
                Arguments.of("* * * *", "expression"),
                Arguments.of("* * * * * *", "expression"),
                Arguments.of("0 0 12 * * ? 2026", "expression"),
                Arguments.of("@reboot", "expression"),
                Arguments.of("@often", "expression"),
                Arguments.of("@daily 5", "expression"),
                Arguments.of("0 0 ? * *", "day_of_month"),
                Arguments.of("0 0 * * ?", "day_of_week"),
                Arguments.of("0 0 L * *", "day_of_month"),
                Arguments.of("0 0 LW * *", "day_of_month"),
                Arguments.of("0 0 15W * *", "day_of_month"),
                Arguments.of("0 0 * * 5L", "day_of_week"),
                Arguments.of("0 0 * * 1#2", "day_of_week"),
                Arguments.of("60 * * * *", "minute"),
                Arguments.of("-1 * * * *", "minute"),
                Arguments.of("*/0 * * * *", "minute"),
                Arguments.of("10-5 * * * *", "minute"),
                Arguments.of("1-2-3 * * * *", "minute"),
                Arguments.of(",1 * * * *", "minute"),
                Arguments.of("a * * * *", "minute"),
                Arguments.of("* 24 * * *", "hour"),
                Arguments.of("* 1-24 * * *", "hour"),
                Arguments.of("* * 0 * *", "day_of_month"),
                Arguments.of("* * 32 * *", "day_of_month"),
                Arguments.of("* * * 0 *", "month"),
                Arguments.of("* * * 13 *", "month"),
                Arguments.of("* * * FOO *", "month"),
                Arguments.of("* * * MON *", "month"),
                Arguments.of("* * * * 8", "day_of_week"),
                Arguments.of("* * * * JAN", "day_of_week"),
                Arguments.of("* * * * FUNDAY", "day_of_week"),
                Arguments.of("* * * * 5-1", "day_of_week"));
    }

    @Test
    void shouldExplainQuartzSyntaxWhenLastDayOfWeekIsUsed() {
        assertThatThrownBy(() -> CronExpression.parse("0 0 * * L"))
                .hasMessage("day_of_week: 'L' is not supported (Quartz syntax)");
    }

    @Test
    void shouldExplainRangeWhenValueIsOutOfRange() {
        assertThatThrownBy(() -> CronExpression.parse("0 25 * * *"))
                .hasMessageStartingWith("hour: '25' is invalid")
                .hasMessageEndingWith("allowed values are 0..23");
    }

    @Test
    void shouldNormalizeWhitespaceAndNamesWhenParsing() {
        CronExpression cron = CronExpression.parse("  0\t0   * jan  mon-Fri ");

        assertThat(cron.expression()).isEqualTo("0 0 * JAN MON-FRI");
        assertThat(cron).hasToString("0 0 * JAN MON-FRI");
    }

    @Test
    void shouldBeEqualWhenNormalizedFormsMatch() {
        assertThat(CronExpression.parse("@daily"))
                .isEqualTo(CronExpression.parse(" 0  0 * * * "))
                .hasSameHashCodeAs(CronExpression.parse("0 0 * * *"))
                .isNotEqualTo(CronExpression.parse("0 1 * * *"));
        assertThat(CronExpression.parse("0 0 * * mon")).isEqualTo(CronExpression.parse("0 0 * * MON"));
    }

    @Test
    void shouldReturnRequestedCountWhenAskingForNextTimes() {
        List<Instant> times = CronExpression.parse("0 16 * * *").nextTimes(instant("2026-11-28T17:40Z"), UTC, 3);

        assertThat(times)
                .containsExactly(
                        instant("2026-11-29T16:00Z"), instant("2026-11-30T16:00Z"), instant("2026-12-01T16:00Z"));
        assertThat(CronExpression.parse("0 16 * * *").nextTimes(instant("2026-11-28T17:40Z"), UTC, 0))
                .isEmpty();
        assertThatThrownBy(() -> CronExpression.parse("0 16 * * *").nextTimes(Instant.EPOCH, UTC, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldFireBetweenWhenEndIsInclusive() {
        CronExpression cron = CronExpression.parse("0 16 * * *");
        Instant after = instant("2026-11-28T17:40Z");

        assertThat(cron.firesBetween(after, instant("2026-11-29T16:00Z"), UTC)).isTrue();
        assertThat(cron.firesBetween(after, instant("2026-11-29T15:59Z"), UTC)).isFalse();
        assertThat(cron.nextNotAfter(after, instant("2032-12-01T16:00Z"), UTC)).contains(instant("2026-11-29T16:00Z"));
        assertThat(cron.firesBetween(instant("2026-11-29T16:00Z"), instant("2026-11-29T16:00Z"), UTC))
                .isFalse();
    }

    @Test
    void shouldFindRareFireTimeFastWhenWarm() {
        CronExpression cron = CronExpression.parse("0 0 29 2 *");
        Instant after = instant("2028-03-01T00:00Z");
        for (int i = 0; i < 20_000; i++) {
            cron.next(after.plusSeconds(i), UTC);
        }
        int calls = 10_000;

        long started = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            cron.next(after.plusSeconds(i), UTC);
        }
        long nanosPerCall = (System.nanoTime() - started) / calls;

        assertThat(cron.next(after, UTC)).contains(instant("2032-02-29T00:00Z"));
        assertThat(nanosPerCall).isLessThan(200_000);
    }

    private static Instant instant(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }
}
