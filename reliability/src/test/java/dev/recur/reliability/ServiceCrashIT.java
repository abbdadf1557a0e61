package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.recur.common.id.Ids;
import dev.recur.common.time.ApiTime;
import org.junit.jupiter.api.Test;

/**
 * Scenario 1: one run of 10,000 jobs (100 schedules × 100 items, each with a callback and an S3
 * destination); during it each service in turn is killed with SIGKILL and started again. Every job must end up
 * delivered exactly once in effect: its S3 object present, its callback received (counted by job id), and the
 * schedules' stats summing to 10,000.
 */
class ServiceCrashIT {

    private static final int SCHEDULES = Integer.getInteger("reliability.crash.schedules", 100);
    private static final int ITEMS = Integer.getInteger("reliability.crash.items", 100);
    private static final String BUCKET = "crash-results";
    private static final String PREFIX = "run";

    private final RecurUnderTest sut = RecurUnderTest.shared();
    private final List<String> kills = new ArrayList<>();

    @Test
    void shouldDeliverEveryJobOnceInEffectWhenEachServiceIsKilledMidRun() throws Exception {
        sut.recur().s3().createBucket(BUCKET);
        int expected = SCHEDULES * ITEMS;
        // the schedules must reach the ticker before the minute they fire at (their last, end_time inclusive)
        await().atMost(Duration.ofSeconds(70))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().atZone(ZoneOffset.UTC).getSecond() < 25);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        String items = sut.items(ITEMS, BUCKET, PREFIX);
        List<Long> schedules = new ArrayList<>();
        Set<Long> expectedJobs = new HashSet<>();
        long createStart = System.nanoTime();
        for (int s = 0; s < SCHEDULES; s++) {
            long id = sut.createSchedule("* * * * *", items, ApiTime.format(minute));
            schedules.add(id);
            long runId = Ids.runId(id, minute);
            for (int i = 0; i < ITEMS; i++) {
                expectedJobs.add(Ids.jobId(runId, i));
            }
        }
        double createSeconds = RecurUnderTest.seconds(createStart);
        assertThat(Instant.now())
                .as("schedules created before the minute they fire at")
                .isBefore(minute.minusSeconds(3));

        LocalPeer scraper = sut.scraper();
        LocalPeer receiver = sut.receiver();
        // job-runner while it is scraping, delivery while it is delivering, then the other two while the run goes on
        killAndRestart("job-runner", () -> scraper.scraperCalls() >= expected / 5, receiver);
        killAndRestart("delivery", () -> receiver.distinctCallbacks() >= 1, receiver);
        killAndRestart("ticker", () -> true, receiver);
        killAndRestart("schedule-api", () -> true, receiver);

        await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofSeconds(5))
                .untilAsserted(() -> {
                    // the shared receiver also gets the callbacks of other tests' schedules: count this run's jobs only
                    assertThat(receiver.callbacks().keySet()).containsAll(expectedJobs);
                    assertThat(sut.objectJobIds(BUCKET, PREFIX)).hasSize(expected);
                    assertThat(statsTotal(schedules)).isEqualTo(expected);
                });
        double runSeconds = Duration.between(minute, Instant.now()).toMillis() / 1000.0;
        Set<Long> objects = sut.objectJobIds(BUCKET, PREFIX);
        Set<Long> lostCallbacks = new HashSet<>(expectedJobs);
        lostCallbacks.removeAll(receiver.callbacks().keySet());
        Set<Long> lostObjects = new HashSet<>(expectedJobs);
        lostObjects.removeAll(objects);
        long stats = statsTotal(schedules);
        // the shared receiver also counts other tests' callbacks: the figures are this run's jobs only
        long delivered =
                expectedJobs.stream().filter(receiver.callbacks()::containsKey).count();
        long duplicates = expectedJobs.stream()
                .map(receiver.callbacks()::get)
                .filter(java.util.Objects::nonNull)
                .mapToLong(count -> count.get() - 1L)
                .sum();
        System.out.printf(
                Locale.ROOT,
                "[reliability] scenario 1 (kill -9 of each service mid-run): expected %d jobs;"
                        + " callbacks delivered %d (duplicates %d, lost %d, unidentified %d); S3 objects %d (lost %d);"
                        + " stats total %d; scraper calls %d; created %d schedules in %.1f s; run complete %.1f s after"
                        + " its minute; kills: %s%n",
                expected,
                delivered,
                duplicates,
                lostCallbacks.size(),
                receiver.unidentifiedCallbacks(),
                objects.size(),
                lostObjects.size(),
                stats,
                scraper.scraperCalls(),
                SCHEDULES,
                createSeconds,
                runSeconds,
                String.join("; ", kills));
        assertThat(receiver.callbacks().keySet()).containsAll(expectedJobs);
        assertThat(objects).isEqualTo(expectedJobs);
        assertThat(stats).isEqualTo(expected);
        assertThat(receiver.unidentifiedCallbacks()).isZero();
    }

    private void killAndRestart(String service, Callable<Boolean> when, LocalPeer receiver) {
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(50))
                .until(when);
        int deliveredAtKill = receiver.distinctCallbacks();
        assertThat(deliveredAtKill)
                .as("delivered when " + service + " is killed")
                .isLessThan(SCHEDULES * ITEMS);
        sut.recur().service(service).kill();
        long restart = System.nanoTime();
        sut.recur().service(service).start();
        sut.recur().service(service).awaitReady(Duration.ofMinutes(3));
        kills.add(String.format(
                Locale.ROOT,
                "%s at %d delivered, ready again in %.1f s",
                service,
                deliveredAtKill,
                RecurUnderTest.seconds(restart)));
        System.out.println("[reliability] killed and restarted " + kills.get(kills.size() - 1));
    }

    private long statsTotal(List<Long> schedules) {
        return schedules.stream().mapToLong(sut::totalJobCount).sum();
    }
}
