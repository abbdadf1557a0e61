package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.time.ApiTime;
import dev.recur.system.ServiceProcess;
import org.junit.jupiter.api.Test;

/**
 * Scenario 5: the ticker is behind or away across a minute boundary, and the promised minute still
 * fires, once. A schedule created while the ticker stands still (SIGSTOP) fires at the minute its {@code next_run_at}
 * promised; a ticker restarted (SIGTERM, as a redeploy, then SIGKILL, as a crash) publishes again within 10 s of its
 * start, and the minute it missed fires once. What is counted is what the ticker committed on {@code recur.due-runs}.
 */
class TickerLagIT {

    private static final Duration RESTART_TO_PUBLISH_BOUND = Duration.ofSeconds(10);

    private final RecurUnderTest sut = RecurUnderTest.shared();

    @Test
    void shouldFireThePromisedMinuteOnceWhenTheScheduleReachesAPausedTickerAfterIt() {
        ServiceProcess ticker = sut.recur().service("ticker");
        awaitSecondBetween(38, 46);
        ticker.pause();
        JsonNode created;
        try {
            awaitSecondBetween(53, 58);
            created = sut.call(
                    "POST",
                    "/v1/schedules",
                    "{\"cron\":\"* * * * *\",\"items\":"
                            + RecurUnderTest.itemsFor(1, sut.receiver().callbackUrl(), null) + ",\"end_time\":\""
                            + ApiTime.format(Instant.now().plus(1, ChronoUnit.DAYS)) + "\"}",
                    201);
            // the minute boundary passes while the ticker stands still
            Instant promised = ApiTime.parse(created.path("next_run_at").asText());
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Instant.now().isAfter(promised.plusSeconds(15)));
        } finally {
            ticker.resume();
        }
        long schedule = created.path("schedule_id").asLong();
        Instant promised = ApiTime.parse(created.path("next_run_at").asText());
        Instant next = promised.plus(1, ChronoUnit.MINUTES);
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> runsOf(schedule).stream().anyMatch(r -> at(r).equals(next)));
        List<JsonNode> runs = runsOf(schedule);
        long promisedRuns = runs.stream().filter(r -> at(r).equals(promised)).count();
        System.out.printf(
                Locale.ROOT,
                "[reliability] ticker paused across %s: schedule created at %s with next_run_at"
                        + " %s; runs of that minute on recur.due-runs %d (published %s); runs of the next minute %d%n",
                ApiTime.format(promised),
                created.path("created_at").asText(),
                ApiTime.format(promised),
                promisedRuns,
                runs.stream()
                        .filter(r -> at(r).equals(promised))
                        .map(r -> r.path("published_at").asText())
                        .toList(),
                runs.stream().filter(r -> at(r).equals(next)).count());
        assertThat(promisedRuns).as("runs of the promised minute").isEqualTo(1);
        assertThat(runs.stream().filter(r -> at(r).equals(next)).count()).isEqualTo(1);
    }

    @Test
    void shouldPublishWithinTenSecondsOfARestartAndFireTheMissedMinuteOnce() {
        long schedule = sut.createSchedule(
                "* * * * *",
                RecurUnderTest.itemsFor(1, sut.receiver().callbackUrl(), null),
                ApiTime.format(Instant.now().plus(1, ChronoUnit.DAYS)));
        ServiceProcess ticker = sut.recur().service("ticker");
        StringBuilder figures = new StringBuilder();
        for (String how : List.of("SIGTERM", "SIGKILL")) {
            awaitSecondBetween(44, 50);
            if (how.equals("SIGTERM")) {
                ticker.stop();
            } else {
                ticker.kill();
            }
            Instant missed = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Instant.now().isAfter(missed.plusSeconds(3)));
            Instant started = Instant.now();
            ticker.start();
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> runsOf(schedule).stream().anyMatch(r -> at(r).equals(missed)));
            List<JsonNode> runs =
                    runsOf(schedule).stream().filter(r -> at(r).equals(missed)).toList();
            Duration toPublish = Duration.between(
                    started, Instant.parse(runs.get(0).path("published_at").asText()));
            figures.append(String.format(
                    Locale.ROOT,
                    " %s: start -> missed minute %s published %.1f s (runs of it %d," + " late %s);",
                    how,
                    ApiTime.format(missed),
                    toPublish.toMillis() / 1000.0,
                    runs.size(),
                    runs.get(0).path("late").asBoolean()));
            assertThat(runs).as("runs of %s after %s", missed, how).hasSize(1);
            assertThat(toPublish)
                    .as("restart after %s to the first publish", how)
                    .isLessThanOrEqualTo(RESTART_TO_PUBLISH_BOUND);
        }
        ticker.awaitReady(Duration.ofMinutes(1));
        System.out.println("[reliability] ticker restarts:" + figures);
    }

    /** The runs of a schedule committed on {@code recur.due-runs}: one record per run (one slice, one item). */
    private List<JsonNode> runsOf(long schedule) {
        return sut.dueRunsOf(List.of(schedule));
    }

    private static Instant at(JsonNode run) {
        return Instant.parse(run.path("scheduled_for").asText());
    }

    private static void awaitSecondBetween(int from, int to) {
        await().atMost(Duration.ofSeconds(70))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    int second = Instant.now().atZone(ZoneOffset.UTC).getSecond();
                    return second >= from && second <= to;
                });
    }
}
