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
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.recur.common.time.ApiTime;

/**
 * Issue 7, scenario 3: the ticker down for 10 minutes ({@code reliability.ticker-outage}) with a catch-up window of
 * 5 ({@code reliability.catch-up-window}): each missed minute of a {@code * * * * *} schedule younger than the
 * window fires once, late, with its original {@code scheduled_for}; the older ones are skipped and counted in the
 * ticker's {@code recur_ticker_runs_skipped_total}.
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
    void shouldFireEachMissedMinuteOnceInsideTheWindowAndCountTheRestWhenTheTickerWasDown() throws Exception {
        Instant created = Instant.now();
        long schedule = sut.createSchedule("* * * * *", RecurUnderTest.itemsFor(1, sut.receiver().callbackUrl(), null),
                ApiTime.format(created.plus(1, ChronoUnit.DAYS)));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> runs(schedule).size() >= 1);
        // mid-minute, so that the minute of the stop has clearly fired and the next clearly not
        await().atMost(Duration.ofSeconds(70)).pollInterval(Duration.ofMillis(200))
                .until(() -> between(Instant.now().atZone(ZoneOffset.UTC).getSecond(), 20, 35));
        sut.recur().service("ticker").stop();
        Instant down = Instant.now();
        await().pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(() -> true);
        Instant restarted = Instant.now();
        sut.recur().service("ticker").start();
        sut.recur().service("ticker").awaitReady(Duration.ofMinutes(3));
        Instant ready = Instant.now();
        Instant firstMissed = down.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant lastMissed = ready.truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);

        List<Instant> missed = new ArrayList<>();
        for (Instant m = firstMissed; !m.isAfter(lastMissed); m = m.plus(1, ChronoUnit.MINUTES)) {
            missed.add(m);
        }
        // the restarted ticker looks first at some time between its start and a little after it is ready
        List<Instant> inside = missed.stream()
                .filter(m -> Duration.between(m, ready).plus(EDGE).compareTo(WINDOW) < 0).toList();
        List<Instant> outside = missed.stream()
                .filter(m -> Duration.between(m, restarted).minus(EDGE).compareTo(WINDOW) > 0).toList();
        // the late runs come out at the ticker's first look; then the schedule goes on at the minute
        Instant onTime = ready.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(runs(schedule).keySet()).containsAll(inside).contains(onTime);
        });
        Map<Instant, Integer> runs = runs(schedule);
        List<Instant> firedLate = missed.stream().filter(runs::containsKey).toList();
        long duplicates = runs.values().stream().mapToLong(c -> c - 1L).sum();
        // the counter is the restarted process's: it counts what that process skipped
        double skipped = skipped();
        System.out.printf(Locale.ROOT, "[reliability] scenario 3 (ticker down %.0f s, catch-up window %s): missed minutes"
                        + " %d (%s .. %s); fired late %d %s; skipped (metric) %.0f; expected inside the window %d, outside %d;"
                        + " duplicates %d; lost inside the window %d%n",
                Duration.between(down, ready).toMillis() / 1000.0, WINDOW, missed.size(), ApiTime.format(firstMissed),
                ApiTime.format(lastMissed), firedLate.size(), new TreeSet<>(firedLate.stream().map(ApiTime::format).toList()),
                skipped, inside.size(), outside.size(), duplicates,
                inside.stream().filter(m -> !runs.containsKey(m)).count());

        assertThat(duplicates).isZero();
        assertThat(runs.keySet()).containsAll(inside).doesNotContainAnyElementsOf(outside);
        assertThat(inside).isNotEmpty();
        assertThat(outside).isNotEmpty();
        assertThat(skipped).as("skipped-runs metric").isEqualTo(missed.size() - firedLate.size());
    }

    /** The schedule's runs by their {@code scheduled_for}, with how often each appears. */
    private static Map<Instant, Integer> runs(long schedule) {
        Map<Instant, Integer> byMinute = new HashMap<>();
        for (JsonNode run : sut.get("/v1/schedules/" + schedule + "/runs?limit=1000").path("runs")) {
            byMinute.merge(ApiTime.parse(run.path("scheduled_for").asText()), 1, Integer::sum);
        }
        return byMinute;
    }

    private static double skipped() throws Exception {
        return sut.metric("ticker", "recur_ticker_runs_skipped_total", "older_than_catch_up_window");
    }

    private static boolean between(int second, int from, int to) {
        return second >= from && second <= to;
    }
}
