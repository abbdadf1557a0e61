package dev.recur.ticker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.recur.common.cron.CronExpression;
import dev.recur.common.event.DueRun;
import org.junit.jupiter.api.Test;

/**
 * A week of minutes over 10,000 random schedules that are created, changed, paused, resumed, deleted and replayed
 * at random minutes, checked minute by minute against an expectation computed independently: for each version
 * of each schedule, the cron's fire times (from {@link CronExpression}, enumerated once per expression and zone)
 * that fall between this version's arrival and the next change, within start and end.
 */
class TickerSimulationTest {

    private static final int SCHEDULES = Integer.getInteger("ticker.simulation.schedules", 10_000);
    private static final int RESTART_CHECK_EVERY = 20;
    private static final Instant WEEK_START = Instant.parse("2026-03-05T00:00:00Z");
    private static final Instant WEEK_END = WEEK_START.plusSeconds(7 * 24 * 3600);
    // sparse on purpose: the test driver costs per published run, and sparse crons still cover every rule
    private static final List<String> CRONS = List.of(
            "0 */3 * * *",
            "30 */2 * * *",
            "15 3 * * *",
            "0 9 * * 1-5",
            "*/20 8-10 * * *",
            "45 23 * * 0",
            "5 0,12 * * *",
            "@daily",
            "15 */4 * * *",
            "59 23 * * *",
            "7 7 * * *",
            "0 0 * * 6",
            "30 2 * * *",
            "30 1 * * *",
            "0 0-23/8 * * *",
            "10 */6 * * *",
            "0 12 * * MON,WED,FRI",
            "20 4 1-7 * *",
            "0 0 5 3 *",
            "0 6 1,15 * 1",
            "0 0 30 2 *");
    private static final List<String> ZONES = List.of("UTC", "Europe/Vilnius", "America/New_York", "Asia/Kolkata");

    /** A schedule change at a time; {@code snapshot} null is a delete; {@code stale} a replay of an old revision. */
    private record Event(Instant at, long id, Snapshots snapshot, boolean stale) {}

    private final Random random = new Random(Long.getLong("ticker.simulation.seed", 20261128L));
    private final Map<String, List<Instant>> fireTimes = new HashMap<>();

    @Test
    void shouldPublishExactlyTheExpectedRunsEveryMinuteWhenSchedulesChangeForAWeek() {
        long started = System.nanoTime();
        List<Event> events = new ArrayList<>();
        for (long id = 1; id <= SCHEDULES; id++) {
            events.addAll(history(id));
        }
        events.sort(Comparator.comparing(Event::at));
        Map<Instant, Set<Long>> expected = expectation(events);
        long expectedRuns = expected.values().stream().mapToLong(Set::size).sum();

        // every minute at which any expression fires in any zone, and every change: nothing happens in between
        TreeSet<Instant> minutes = new TreeSet<>();
        fireTimes
                .values()
                .forEach(times -> times.stream()
                        .filter(time -> !time.isBefore(WEEK_START) && time.isBefore(WEEK_END))
                        .forEach(minutes::add));
        Map<Instant, Set<Long>> actual = new TreeMap<>();
        long published = 0;
        int nextEvent = 0;
        int ticked = 0;
        try (TickerDriver ticker = new TickerDriver(WEEK_START.minusSeconds(60))) {
            for (Instant minute : minutes) {
                while (nextEvent < events.size() && events.get(nextEvent).at().isBefore(minute)) {
                    Event event = events.get(nextEvent++);
                    if (!event.at().equals(ticker.clock.instant())) {
                        ticker.at(event.at());
                    }
                    if (event.snapshot() == null) {
                        ticker.delete(event.id());
                    } else {
                        ticker.send(event.snapshot());
                    }
                    assertThat(ticker.runs())
                            .as("runs published at a change at %s", event.at())
                            .isEmpty();
                }
                ticker.at(minute.plusMillis(500));
                List<DueRun> runs = ticker.runs();
                published += runs.size();
                Set<Long> fired = new HashSet<>();
                for (DueRun run : runs) {
                    assertThat(run.scheduledFor())
                            .as("run of %d published at %s", run.scheduleId(), minute)
                            .isEqualTo(minute);
                    assertThat(run.late()).isFalse();
                    assertThat(fired.add(run.scheduleId()))
                            .as("duplicate run of %d at %s", run.scheduleId(), minute)
                            .isTrue();
                }
                assertThat(fired)
                        .as("schedules fired at %s", minute)
                        .isEqualTo(expected.getOrDefault(minute, Set.of()));
                if (!fired.isEmpty()) {
                    actual.put(minute, fired);
                }
                // what a crash now would restore (the timeline derived from the committed stores) is what runs
                if (++ticked % RESTART_CHECK_EVERY == 0) {
                    assertThat(ticker.timelineAfterRestart())
                            .as("timeline rebuilt after %s", minute)
                            .isEqualTo(new HashSet<>(ticker.timelineKeys()));
                }
            }
        }

        assertThat(actual).isEqualTo(expected);
        assertThat(published).isEqualTo(expectedRuns);
        System.out.printf(
                "simulated %d schedules, %d changes, %d ticked minutes, %d runs in %.1f s%n",
                SCHEDULES, events.size(), minutes.size(), published, (System.nanoTime() - started) / 1e9);
        assertThat(expectedRuns).isGreaterThan(30_000);
    }

    /** A schedule's changes: created (possibly before the week), then up to three changes at later minutes. */
    private List<Event> history(long id) {
        List<Event> events = new ArrayList<>();
        Instant at = random.nextInt(10) < 3
                ? WEEK_START.minusSeconds(30)
                : randomMinute(0, 5000).plusSeconds(30);
        Snapshots current = randomVersion(Snapshots.schedule(id, "* * * * *"), at);
        events.add(new Event(at, id, current, false));
        int changes = random.nextInt(4);
        for (int i = 0; i < changes; i++) {
            at = at.plusSeconds(60L * (1 + random.nextInt(3000)));
            int kind = random.nextInt(10);
            if (kind == 0) {
                events.add(new Event(at, id, null, false));
                return events;
            }
            if (kind == 1) {
                events.add(new Event(at, id, randomVersion(current, at).cron("* * * * *"), true));
                continue;
            }
            current = switch (kind) {
                case 2, 3 -> current.next().active(!current.active());
                default -> randomVersion(current.next(), at);
            };
            events.add(new Event(at, id, current, false));
        }
        return events;
    }

    private Snapshots randomVersion(Snapshots base, Instant at) {
        Snapshots version = base.cron(pick(CRONS)).zone(pick(ZONES)).active(random.nextInt(10) > 0);
        int endKind = random.nextInt(4);
        Instant end = switch (endKind) {
            case 0 -> Snapshots.FAR_END;
            case 1 -> at.plusSeconds(60L * random.nextInt(4000)).plusSeconds(random.nextInt(60));
            default -> at.plusSeconds(60L * random.nextInt(6000)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        };
        Instant start = random.nextInt(10) == 0 ? at.plusSeconds(random.nextInt(3 * 24 * 3600)) : null;
        return version.end(end).start(start);
    }

    /**
     * Which schedules fire at which minute: each version of a schedule fires at its expression's fire times after
     * it arrived and before the next change arrived, not before its start, not after its end, if active.
     */
    private Map<Instant, Set<Long>> expectation(List<Event> events) {
        Map<Long, List<Event>> byId = new HashMap<>();
        for (Event event : events) {
            if (!event.stale()) {
                byId.computeIfAbsent(event.id(), id -> new ArrayList<>()).add(event);
            }
        }
        Map<Instant, Set<Long>> expected = new TreeMap<>();
        byId.forEach((id, versions) -> {
            for (int i = 0; i < versions.size(); i++) {
                Snapshots version = versions.get(i).snapshot();
                if (version == null || !version.active()) {
                    continue;
                }
                Instant from = versions.get(i).at();
                Instant until = i + 1 < versions.size() ? versions.get(i + 1).at() : WEEK_END;
                for (Instant fire : fireTimes(version.cron(), version.zone())) {
                    boolean inWindow = fire.isAfter(from)
                            && fire.isBefore(until)
                            && !fire.isBefore(WEEK_START)
                            && fire.isBefore(WEEK_END);
                    boolean inBounds = (version.start() == null || !fire.isBefore(version.start()))
                            && !fire.isAfter(version.end());
                    if (inWindow && inBounds) {
                        expected.computeIfAbsent(fire, minute -> new HashSet<>())
                                .add(id);
                    }
                }
            }
        });
        return expected;
    }

    /** Every fire time of an expression in a zone from a day before the week to its end. */
    private List<Instant> fireTimes(String cron, String zone) {
        return fireTimes.computeIfAbsent(cron + "|" + zone, key -> {
            CronExpression expression = CronExpression.parse(cron);
            List<Instant> times = new ArrayList<>();
            Instant fire = WEEK_START.minusSeconds(24 * 3600);
            while (true) {
                var next = expression.next(fire, ZoneId.of(zone));
                if (next.isEmpty() || !next.get().isBefore(WEEK_END)) {
                    return times;
                }
                fire = next.get();
                times.add(fire);
            }
        });
    }

    private Instant randomMinute(int fromMinute, int toMinute) {
        return WEEK_START.plusSeconds(60L * (fromMinute + random.nextInt(toMinute - fromMinute)));
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
