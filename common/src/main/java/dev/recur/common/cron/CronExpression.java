package dev.recur.common.cron;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.expression.Always;
import com.cronutils.model.field.expression.And;
import com.cronutils.model.field.expression.Between;
import com.cronutils.model.field.expression.Every;
import com.cronutils.model.field.expression.FieldExpression;
import com.cronutils.model.field.expression.On;
import com.cronutils.model.field.value.FieldValue;
import com.cronutils.model.field.value.IntegerFieldValue;
import com.cronutils.parser.CronParser;

/**
 * Recur's cron dialect: standard 5-field Unix cron ({@code minute hour day_of_month month day_of_week})
 * plus the {@code @daily}-style macros, evaluated in a time zone.
 *
 * <p>cron-utils (UNIX definition) validates each field; the fire times are computed here from the
 * field sets it parsed, because the dialect's day rule and DST rule must hold exactly:
 * <ul>
 *   <li>Vixie day rule: if both day fields are restricted, a day matches when either matches. As in
 *       Vixie cron, a field counts as unrestricted when it starts with {@code *}, so
 *       <code>*&#47;2</code> in day_of_month combined with a day_of_week means both must match.</li>
 *   <li>DST rule (as AWS EventBridge): a local time that falls into a spring-forward gap is skipped;
 *       a local time repeated by a fall-back overlap fires once, at its earlier offset.</li>
 * </ul>
 * Instances are immutable and compare equal by their normalized {@link #expression()}.
 */
public final class CronExpression {

    private static final String EXPRESSION = "expression";
    private static final String FIELDS = "minute hour day_of_month month day_of_week";
    // every combination of leap year and weekday recurs within 28 years
    private static final int HORIZON_YEARS = 28;
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern WORD = Pattern.compile("[A-Z]+");
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *",
            "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *",
            "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final String expression;
    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    private final long daysOfWeek;
    private final boolean eitherDayMatches;
    private final boolean neverFires;

    private CronExpression(String expression, long[] sets, boolean eitherDayMatches) {
        this.expression = expression;
        this.minutes = sets[CronField.MINUTE.ordinal()];
        this.hours = sets[CronField.HOUR.ordinal()];
        this.daysOfMonth = sets[CronField.DAY_OF_MONTH.ordinal()];
        this.months = sets[CronField.MONTH.ordinal()];
        this.daysOfWeek = sets[CronField.DAY_OF_WEEK.ordinal()];
        this.eitherDayMatches = eitherDayMatches;
        this.neverFires = !eitherDayMatches && !anyMonthHasADay();
    }

    /**
     * Parses and validates an expression. Surrounding whitespace is trimmed and inner runs of
     * whitespace count as one space; names of months and weekdays may be in any case.
     *
     * @throws InvalidCronException naming the field that is wrong
     */
    public static CronExpression parse(String text) {
        if (text == null) {
            throw new InvalidCronException(EXPRESSION, "must not be null");
        }
        String collapsed = WHITESPACE.matcher(text.strip()).replaceAll(" ");
        if (collapsed.isEmpty()) {
            throw new InvalidCronException(
                    EXPRESSION, "must not be empty; expected 5 fields (" + FIELDS + ") or a macro such as @daily");
        }
        String[] parts = (collapsed.startsWith("@") ? expandMacro(collapsed) : collapsed).split(" ");
        if (parts.length != 5) {
            throw new InvalidCronException(EXPRESSION, fieldCountProblem(parts.length));
        }
        long[] sets = new long[parts.length];
        for (CronField field : CronField.values()) {
            String part = parts[field.ordinal()].toUpperCase(Locale.ROOT);
            parts[field.ordinal()] = part;
            sets[field.ordinal()] = valuesOf(field, part);
        }
        boolean eitherDayMatches = !parts[CronField.DAY_OF_MONTH.ordinal()].startsWith("*")
                && !parts[CronField.DAY_OF_WEEK.ordinal()].startsWith("*");
        return new CronExpression(String.join(" ", parts), sets, eitherDayMatches);
    }

    /** The normalized 5-field form: macros expanded, single spaces, names in upper case. */
    public String expression() {
        return expression;
    }

    /** True if no date can ever match, such as {@code 0 0 30 2 *}. */
    public boolean neverFires() {
        return neverFires;
    }

    /**
     * The first fire time strictly after {@code after}, with the expression evaluated in {@code zone};
     * empty if there is none within 28 years.
     */
    public Optional<Instant> next(Instant after, ZoneId zone) {
        Objects.requireNonNull(after, "after");
        ZoneRules rules = zone.getRules();
        if (neverFires) {
            return Optional.empty();
        }
        LocalDateTime from = LocalDateTime.ofInstant(after, zone)
                .truncatedTo(ChronoUnit.MINUTES)
                .plusMinutes(1);
        int lastYear = from.getYear() + HORIZON_YEARS;
        for (LocalDateTime local = nextLocal(from, lastYear);
                local != null;
                local = nextLocal(local.plusMinutes(1), lastYear)) {
            // no offset: the local time is in a DST gap; two: it repeats and the earlier one counts
            List<ZoneOffset> offsets = rules.getValidOffsets(local);
            if (!offsets.isEmpty()) {
                Instant fire = local.toInstant(offsets.get(0));
                // in the second pass of an overlap the local clock is behind fires already past
                if (fire.isAfter(after)) {
                    return Optional.of(fire);
                }
            }
        }
        return Optional.empty();
    }

    /** Up to {@code count} consecutive fire times after {@code after}; fewer if the horizon ends first. */
    public List<Instant> nextTimes(Instant after, ZoneId zone, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        List<Instant> times = new ArrayList<>(Math.min(count, 1000));
        Optional<Instant> next = count == 0 ? Optional.empty() : next(after, zone);
        while (next.isPresent()) {
            times.add(next.get());
            next = times.size() == count ? Optional.empty() : next(next.get(), zone);
        }
        return List.copyOf(times);
    }

    /** The first fire time after {@code after} that is not later than {@code end}. */
    public Optional<Instant> nextNotAfter(Instant after, Instant end, ZoneId zone) {
        return next(after, zone).filter(fire -> !fire.isAfter(end));
    }

    /** True if the expression fires in {@code (afterExclusive, endInclusive]}. */
    public boolean firesBetween(Instant afterExclusive, Instant endInclusive, ZoneId zone) {
        return nextNotAfter(afterExclusive, endInclusive, zone).isPresent();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CronExpression cron && cron.expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    @Override
    public String toString() {
        return expression;
    }

    /** The first matching local date-time at or after {@code from}, or null after {@code lastYear}. */
    private LocalDateTime nextLocal(LocalDateTime from, int lastYear) {
        int year = from.getYear();
        int month = from.getMonthValue();
        int day = from.getDayOfMonth();
        int hour = from.getHour();
        int minute = from.getMinute();
        while (year <= lastYear) {
            if (!contains(months, month)) {
                month = nextIn(months, month + 1);
                if (month < 0) {
                    year++;
                    month = nextIn(months, 1);
                }
                day = 1;
                hour = 0;
                minute = 0;
            } else if (day > Month.of(month).length(Year.isLeap(year))) {
                month++;
                if (month > 12) {
                    year++;
                    month = 1;
                }
                day = 1;
                hour = 0;
                minute = 0;
            } else if (!dayMatches(year, month, day) || nextIn(hours, hour) < 0) {
                day++;
                hour = 0;
                minute = 0;
            } else if (!contains(hours, hour)) {
                hour = nextIn(hours, hour);
                minute = 0;
            } else if (nextIn(minutes, minute) < 0) {
                hour++;
                minute = 0;
            } else {
                return LocalDateTime.of(year, month, day, hour, nextIn(minutes, minute));
            }
        }
        return null;
    }

    private boolean dayMatches(int year, int month, int day) {
        boolean dayOfMonth = contains(daysOfMonth, day);
        boolean dayOfWeek = contains(
                daysOfWeek, LocalDate.of(year, month, day).getDayOfWeek().getValue() % 7);
        return eitherDayMatches ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek;
    }

    private boolean anyMonthHasADay() {
        for (int month = 1; month <= 12; month++) {
            long possibleDays = range(1, Month.of(month).maxLength(), 1);
            if (contains(months, month) && (daysOfMonth & possibleDays) != 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(long set, int value) {
        return (set >>> value & 1) != 0;
    }

    /** The smallest value in {@code set} that is at least {@code from}, or -1. */
    private static int nextIn(long set, int from) {
        long remaining = from > 63 ? 0 : set & (-1L << from);
        return remaining == 0 ? -1 : Long.numberOfTrailingZeros(remaining);
    }

    private static long range(int from, int to, int step) {
        long set = 0;
        for (int value = from; value <= to; value += step) {
            set |= 1L << value;
        }
        return set;
    }

    private static String expandMacro(String macro) {
        String name = macro.toLowerCase(Locale.ROOT);
        String expanded = MACROS.get(name);
        if (expanded != null) {
            return expanded;
        }
        if (name.equals("@reboot")) {
            throw new InvalidCronException(EXPRESSION, "'@reboot' is not supported: a schedule has no boot to run at");
        }
        throw new InvalidCronException(
                EXPRESSION,
                "unknown macro '" + macro
                        + "'; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly");
    }

    private static String fieldCountProblem(int count) {
        String problem = "expected 5 fields (" + FIELDS + ") but found " + count;
        return count == 6 || count == 7
                ? problem + "; seconds and year fields (Quartz syntax) are not supported"
                : problem;
    }

    private static long valuesOf(CronField field, String part) {
        String[] probe = {"*", "*", "*", "*", "*"};
        probe[field.ordinal()] = namesToNumbers(field, part);
        FieldExpression parsed;
        try {
            // parsing one field at a time tells which field cron-utils objects to
            parsed = PARSER.parse(String.join(" ", probe))
                    .validate()
                    .retrieve(field.cronUtilsName())
                    .getExpression();
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage()
                    .replace("Failed to parse cron expression. ", "")
                    .replaceAll("[.\\s]+$", "");
            throw new InvalidCronException(
                    field.key(), "'" + part + "' is invalid (" + reason + "); " + field.allowedValues());
        }
        long set = valuesOf(field, part, parsed);
        int secondSunday = 7;
        if (field == CronField.DAY_OF_WEEK && contains(set, secondSunday)) {
            return set & ~(1L << secondSunday) | 1L;
        }
        return set;
    }

    private static long valuesOf(CronField field, String part, FieldExpression expression) {
        if (expression instanceof Always) {
            return range(field.min(), field.max(), 1);
        }
        if (expression instanceof On on) {
            return 1L << on.getTime().getValue();
        }
        if (expression instanceof Between between) {
            return range(intValue(field, part, between.getFrom()), intValue(field, part, between.getTo()), 1);
        }
        if (expression instanceof Every every) {
            int step = every.getPeriod().getValue();
            FieldExpression base = every.getExpression();
            if (base instanceof Between between) {
                return range(intValue(field, part, between.getFrom()), intValue(field, part, between.getTo()), step);
            }
            // a single start value steps to the end of the field's range: 5/15 is 5-59/15
            int start = base instanceof On on ? on.getTime().getValue() : field.min();
            return range(start, field.max(), step);
        }
        if (expression instanceof And and) {
            return and.getExpressions().stream()
                    .mapToLong(sub -> valuesOf(field, part, sub))
                    .reduce(0, (a, b) -> a | b);
        }
        throw new InvalidCronException(field.key(), "'" + part + "' is not supported");
    }

    private static int intValue(CronField field, String part, FieldValue<?> value) {
        if (value instanceof IntegerFieldValue integer) {
            return integer.getValue();
        }
        throw new InvalidCronException(field.key(), "'" + part + "' is not supported");
    }

    /** Replaces month and weekday names by numbers, rejecting Quartz-only syntax on the way. */
    private static String namesToNumbers(CronField field, String part) {
        for (String quartz : List.of("?", "#")) {
            if (part.contains(quartz)) {
                throw quartzSyntax(field, quartz);
            }
        }
        Matcher words = WORD.matcher(part);
        StringBuilder numeric = new StringBuilder();
        while (words.find()) {
            String word = words.group();
            int value = field.numberOf(word);
            if (value < 0) {
                if (List.of("L", "W", "LW").contains(word)) {
                    throw quartzSyntax(field, word);
                }
                throw new InvalidCronException(
                        field.key(), "'" + word + "' is not valid here; " + field.allowedValues());
            }
            words.appendReplacement(numeric, Integer.toString(value));
        }
        words.appendTail(numeric);
        return numeric.toString();
    }

    private static InvalidCronException quartzSyntax(CronField field, String token) {
        return new InvalidCronException(field.key(), "'" + token + "' is not supported (Quartz syntax)");
    }
}
