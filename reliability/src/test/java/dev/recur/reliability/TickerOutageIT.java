package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.time.ApiTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scenario 3: the ticker down for 10 minutes ({@code reliability.ticker-outage}) with a catch-up window of 5
 * ({@code reliability.catch-up-window}): a {@code * * * * *} schedule with the default {@code fire_once} gets one late
 * run for all the minutes it missed, the latest one, with its own {@code scheduled_for}; every other missed minute is
 * counted in the ticker's {@code recur_ticker_runs_skipped_total} (older than the window, or coalesced), carried by
 * the late run ({@code skipped_runs}) and shown once in the schedule's {@code stats.skipped_run_count}.
 */
@Tag("fault")
class TickerOutageIT {

    private static final Duration OUTAGE = Duration.parse(System.getProperty("reliability.ticker-outage", "PT10M"));
    private static final Duration WINDOW = Duration.parse(System.getProperty("reliability.catch-up-window", "PT5M"));
    /** How far from the window's edge a minute must be for the test to say on which side it falls. */
    private static final Duration EDGE = Duration.ofSeconds(45);

    private static RecurUnderTest sut;

    @BeforeAll
    static void start() {
        sut = RecurUnderTest.start("ticker-outage", Map.of("recur.ticker.catch-up-window", WINDOW.toString()));
    }

    @AfterAll
    static void stop() {
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    void shouldFireTheLatestMissedMinuteOnceAndCountTheRestWhenTheTickerWasDown() throws Exception {
        Instant created = Instant.now();
        long schedule = sut.createSchedule(
                "* * * * *",
                RecurUnderTest.itemsFor(1, sut.receiver().callbackUrl(), null),
                ApiTime.format(created.plus(1, ChronoUnit.DAYS)));
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> runs(schedule).size() >= 1);
        // mid-minute, so that the minute of the stop has clearly fired and the next clearly not
        await().atMost(Duration.ofSeconds(70))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> between(Instant.now().atZone(ZoneOffset.UTC).getSecond(), 20, 35));
        sut.recur().service("ticker").stop();
        Instant down = Instant.now();
        await().pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(() -> true);
        Instant restarted = Instant.now();
        sut.recur().service("ticker").start();
        sut.recur().service("ticker").awaitReady(Duration.ofMinutes(3));
        Instant ready = Instant.now();
        Instant firstMissed = down.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);

        // fire_once: the ticker's first look publishes the latest missed minute inside the window, late, and counts
        // the older missed ones as skipped (inside the window: coalesced; outside: too old); then it goes on on time
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> publishedAfter(schedule, restarted).stream()
                        .anyMatch(r -> !r.path("late").asBoolean()));
        List<JsonNode> after = publishedAfter(schedule, restarted);
        List<Instant> late = after.stream()
                .filter(r -> r.path("late").asBoolean())
                .map(r -> Instant.parse(r.path("scheduled_for").asText()))
                .toList();
        List<Integer> carried =
                after.stream().map(r -> r.path("skipped_runs").asInt()).toList();
        Instant firstOnTime = after.stream()
                .filter(r -> !r.path("late").asBoolean())
                .map(r -> Instant.parse(r.path("scheduled_for").asText()))
                .min(Instant::compareTo)
                .orElseThrow();
        Instant lastMissed = firstOnTime.minus(1, ChronoUnit.MINUTES);
        List<Instant> missed = new ArrayList<>();
        for (Instant m = firstMissed; !m.isAfter(lastMissed); m = m.plus(1, ChronoUnit.MINUTES)) {
            missed.add(m);
        }
        Map<Instant, Integer> runs = runs(schedule);
        long duplicates = runs.values().stream().mapToLong(c -> c - 1L).sum();
        // the counters are the restarted process's: they count what that process skipped
        double tooOld = sut.metric("ticker", "recur_ticker_runs_skipped_total", "older_than_catch_up_window");
        double coalesced = sut.metric("ticker", "recur_ticker_runs_skipped_total", "fire_once_coalesced");
        // delivery counts them when it logs the late run's job, then schedule-api shows them
        int expectedSkipped = missed.size() - 1;
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> sut.get("/v1/schedules/" + schedule)
                                .path("stats")
                                .path("skipped_run_count")
                                .asInt()
                        >= expectedSkipped);
        int statsSkipped = sut.get("/v1/schedules/" + schedule)
                .path("stats")
                .path("skipped_run_count")
                .asInt();
        long outside = missed.stream()
                .filter(m -> Duration.between(m, restarted).minus(EDGE).compareTo(WINDOW) > 0)
                .count();
        long inside = missed.stream()
                .filter(m -> Duration.between(m, ready).plus(EDGE).compareTo(WINDOW) < 0)
                .count();
        System.out.printf(
                Locale.ROOT,
                "[reliability] scenario 3 (ticker down %.0f s, catch-up window %s, fire_once):"
                        + " missed minutes %d (%s .. %s); fired late %s; skipped (metric) older than the window %.0f,"
                        + " coalesced %.0f; expected inside the window at least %d, outside at least %d; duplicates %d;"
                        + " skipped_runs of the runs after the restart %s; stats.skipped_run_count %d%n",
                Duration.between(down, ready).toMillis() / 1000.0,
                WINDOW,
                missed.size(),
                ApiTime.format(firstMissed),
                ApiTime.format(lastMissed),
                late.stream().map(ApiTime::format).toList(),
                tooOld,
                coalesced,
                inside,
                outside,
                duplicates,
                carried,
                statsSkipped);

        assertThat(duplicates).isZero();
        assertThat(late).as("late runs: the latest missed minute only").containsExactly(lastMissed);
        assertThat(missed).as("missed minutes").hasSizeGreaterThan(1);
        assertThat(tooOld)
                .as("skipped as older than the window")
                .isBetween((double) outside, (double) missed.size() - inside);
        assertThat(tooOld + coalesced)
                .as("every missed minute but the one fired is counted")
                .isEqualTo(missed.size() - 1);
        assertThat(carried)
                .as("skipped_runs: all on the late run, the first after them")
                .startsWith(expectedSkipped)
                .containsOnlyOnce(expectedSkipped);
        assertThat(carried.stream().mapToInt(Integer::intValue).sum()).isEqualTo(expectedSkipped);
        assertThat(statsSkipped).as("stats.skipped_run_count").isEqualTo(expectedSkipped);
    }

    /** The schedule's runs on {@code recur.due-runs} published after {@code instant}. */
    private static List<JsonNode> publishedAfter(long schedule, Instant instant) {
        return sut.dueRunsOf(List.of(schedule)).stream()
                .filter(run -> Instant.parse(run.path("published_at").asText()).isAfter(instant))
                .toList();
    }

    /** The schedule's runs by their {@code scheduled_for}, with how often each appears. */
    private static Map<Instant, Integer> runs(long schedule) {
        Map<Instant, Integer> byMinute = new HashMap<>();
        for (JsonNode run :
                sut.get("/v1/schedules/" + schedule + "/runs?limit=1000").path("runs")) {
            byMinute.merge(ApiTime.parse(run.path("scheduled_for").asText()), 1, Integer::sum);
        }
        return byMinute;
    }

    private static boolean between(int second, int from, int to) {
        return second >= from && second <= to;
    }
}
