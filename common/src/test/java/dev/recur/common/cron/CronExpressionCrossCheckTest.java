package dev.recur.common.cron;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * Compares {@link CronExpression#next} with a brute-force, minute-by-minute matcher over random
 * expressions whose value sets the generator knows independently of the parser.
 */
class CronExpressionCrossCheckTest {

    private static final int EXPRESSIONS = 200;
    private static final int WINDOW_MINUTES = 4 * 24 * 60;
    private static final String[] MONTHS = {
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
    };
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

    private final Random random = new Random(20261128);

    @Test
    void shouldAgreeWithBruteForceWhenExpressionsAreRandom() {
        int expressionsThatFired = 0;
        for (int i = 0; i < EXPRESSIONS; i++) {
            Field minute = field(0, 59, null, 0.3);
            Field hour = field(0, 23, null, 0.4);
            Field dayOfMonth = field(1, 31, null, 0.6);
            Field month = field(1, 12, MONTHS, 0.7);
            Field dayOfWeek = field(0, 7, DAYS, 0.6).withSundayAsZero();
            String expression = String.join(" ", minute.text, hour.text, dayOfMonth.text, month.text, dayOfWeek.text);
            Instant after = Instant.parse("2026-01-01T00:00:00Z")
                    .plusSeconds((long) (random.nextDouble() * 5 * 365 * 24 * 3600));

            List<Instant> expected = bruteForce(after, minute, hour, dayOfMonth, month, dayOfWeek);
            List<Instant> actual =
                    CronExpression.parse(expression).nextTimes(after, ZoneOffset.UTC, expected.size() + 1);

            Instant windowEnd = after.truncatedTo(ChronoUnit.MINUTES).plus(WINDOW_MINUTES, ChronoUnit.MINUTES);
            assertThat(actual.stream().filter(time -> !time.isAfter(windowEnd)).toList())
                    .as("%s after %s", expression, after)
                    .isEqualTo(expected);
            expressionsThatFired += expected.isEmpty() ? 0 : 1;
        }
        // the comparison means little unless most expressions fire within the window
        assertThat(expressionsThatFired).isGreaterThan(EXPRESSIONS / 2);
    }

    private static List<Instant> bruteForce(
            Instant after, Field minute, Field hour, Field dayOfMonth, Field month, Field dayOfWeek) {
        List<Instant> matches = new ArrayList<>();
        LocalDateTime start = LocalDateTime.ofInstant(after, ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        for (int step = 1; step <= WINDOW_MINUTES; step++) {
            LocalDateTime time = start.plusMinutes(step);
            boolean dom = dayOfMonth.values.contains(time.getDayOfMonth());
            boolean dow = dayOfWeek.values.contains(time.getDayOfWeek().getValue() % 7);
            boolean day = dayOfMonth.startsWithStar || dayOfWeek.startsWithStar ? dom && dow : dom || dow;
            if (day
                    && minute.values.contains(time.getMinute())
                    && hour.values.contains(time.getHour())
                    && month.values.contains(time.getMonthValue())) {
                matches.add(time.toInstant(ZoneOffset.UTC));
            }
        }
        return matches;
    }

    private Field field(int min, int max, String[] names, double starChance) {
        if (random.nextDouble() < starChance) {
            int step = random.nextInt(4) == 0 ? 2 + random.nextInt(Math.min(max, 5) - 1) : 1;
            return new Field(step == 1 ? "*" : "*/" + step, values(min, max, step), true);
        }
        int terms = 1 + random.nextInt(3);
        List<String> texts = new ArrayList<>();
        Set<Integer> values = new TreeSet<>();
        for (int t = 0; t < terms; t++) {
            int a = min + random.nextInt(max - min + 1);
            int b = min + random.nextInt(max - min + 1);
            int from = Math.min(a, b);
            int to = Math.max(a, b);
            int step = 1 + random.nextInt(Math.max(1, (to - from) / 2 + 1));
            switch (random.nextInt(4)) {
                case 0 -> {
                    texts.add(name(from, names, min));
                    values.addAll(values(from, from, 1));
                }
                case 1 -> {
                    texts.add(name(from, names, min) + "-" + name(to, names, min));
                    values.addAll(values(from, to, 1));
                }
                case 2 -> {
                    texts.add(from + "-" + to + "/" + step);
                    values.addAll(values(from, to, step));
                }
                default -> {
                    int period = 1 + random.nextInt(Math.max(1, max - from));
                    texts.add(from + "/" + period);
                    values.addAll(values(from, max, period));
                }
            }
        }
        return new Field(String.join(",", texts), values, false);
    }

    private static Set<Integer> values(int from, int to, int step) {
        Set<Integer> values = new TreeSet<>();
        for (int value = from; value <= to; value += step) {
            values.add(value);
        }
        return values;
    }

    private String name(int value, String[] names, int min) {
        if (names == null || value - min >= names.length || random.nextInt(3) != 0) {
            return Integer.toString(value);
        }
        String name = names[value - min];
        return random.nextBoolean()
                ? name.toLowerCase(Locale.ROOT)
                : name.charAt(0) + name.substring(1).toLowerCase(Locale.ROOT);
    }

    private record Field(String text, Set<Integer> values, boolean startsWithStar) {

        /** Day of week 7 is a second Sunday; the matcher looks Sunday up as 0. */
        Field withSundayAsZero() {
            Set<Integer> folded = new TreeSet<>(values);
            if (folded.remove(7)) {
                folded.add(0);
            }
            return new Field(text, folded, startsWithStar);
        }
    }
}
