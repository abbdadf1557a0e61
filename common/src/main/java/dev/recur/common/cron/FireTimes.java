package dev.recur.common.cron;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * The fire times of one version of a schedule: the minutes its cron matches in its zone, none before its start
 * and none after its end (both inclusive bounds, either may be absent). The one rule for the API's
 * {@code next_run_at} and the ticker's plans: a schedule accepted at instant {@code t} first fires at
 * {@code new FireTimes(...).nextAfter(t)}, and whatever the API promised is what the ticker plans.
 */
public record FireTimes(CronExpression cron, ZoneId zone, Instant start, Instant end) {

    public FireTimes {
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(zone, "zone");
    }

    /** The first fire time strictly after {@code after}, not before the start, not after the end; or empty. */
    public Optional<Instant> nextAfter(Instant after) {
        Instant from = after;
        if (start != null) {
            // fire times are whole minutes, start need not be: "strictly after start minus a nanosecond" is "at or
            // after start" for any start
            Instant justBeforeStart = start.minusNanos(1);
            if (justBeforeStart.isAfter(from)) {
                from = justBeforeStart;
            }
        }
        Optional<Instant> next = cron.next(from, zone);
        return end == null ? next : next.filter(fire -> !fire.isAfter(end));
    }

    /** True if it fires at least once strictly after {@code after}. */
    public boolean firesAfter(Instant after) {
        return nextAfter(after).isPresent();
    }
}
