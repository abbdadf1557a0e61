package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.id.Ids;
import dev.recur.common.time.ApiTime;
import dev.recur.system.ServiceProcess;
import dev.recur.testinfra.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6: two instances of each service, as a scaled-out deployment runs them (schedule-api behind one
 * database, tickers with static membership and a standby per task, job-runners and deliveries with their own instance
 * ids). Schedules are created through both APIs; in the second of four minutes one instance of each service is
 * killed with SIGKILL, and started again a minute later. Every run of every minute must be on {@code recur.due-runs}
 * exactly once, every job's S3 object and callback delivered, and the schedules' stats exact; a callback may come
 * twice only when it was in flight at a kill.
 */
@Tag("fault")
class ScaleOutIT {

    private static final int SCHEDULES = Integer.getInteger("reliability.scale-out.schedules", 20);
    private static final int ITEMS = Integer.getInteger("reliability.scale-out.items", 25);
    private static final int MINUTES = 4;
    private static final String BUCKET = "scale-out-results";
    private static final String PREFIX = "run";

    private static RecurUnderTest sut;
    private static final Map<String, ServiceProcess> seconds = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        // two tickers: a standby copy of each task on the other instance, which takes a dead instance's tasks over
        // once its session (10 s here) has expired
        sut = RecurUnderTest.start(
                "scale-out",
                Map.of("kafka-streams.num.standby.replicas", "1", "kafka-streams.session.timeout.ms", "10000"));
        Path data = Path.of("target/reliability-data/scale-out").toAbsolutePath();
        Map<String, Map<String, String>> overrides = Map.of(
                "schedule-api", Map.of(),
                "ticker",
                        Map.of(
                                "kafka-streams.group.instance.id",
                                "ticker-1",
                                "kafka-streams.state.dir",
                                data.resolve("ticker-state-2").toString()),
                "job-runner", Map.of("recur.job-runner.instance-id", "job-runner-1"),
                "delivery", Map.of("recur.delivery.instance-id", "delivery-1"));
        for (String service : RecurUnderTest.SERVICES) {
            ServiceProcess second =
                    sut.recur().service(service).another(service + "-2", Ports.free(), overrides.get(service));
            second.start();
            seconds.put(service, second);
        }
        seconds.values().forEach(s -> s.awaitReady(Duration.ofMinutes(3)));
    }

    @AfterAll
    static void stop() {
        seconds.values().forEach(ServiceProcess::stop);
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    void shouldRunEveryMinuteOnceAndDeliverEveryJobWhenOneInstanceOfEachServiceIsKilled() throws Exception {
        sut.recur().s3().createBucket(BUCKET);
        await().atMost(Duration.ofSeconds(70))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().atZone(ZoneOffset.UTC).getSecond() < 20);
        Instant first = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant last = first.plus(MINUTES - 1, ChronoUnit.MINUTES);
        String body = "{\"cron\":\"* * * * *\",\"items\":" + sut.items(ITEMS, BUCKET, PREFIX) + ",\"end_time\":\""
                + ApiTime.format(last) + "\"}";
        List<Long> schedules = new ArrayList<>();
        Set<Long> expectedJobs = new HashSet<>();
        for (int s = 0; s < SCHEDULES; s++) {
            // every other one through the second API instance
            String api = s % 2 == 0
                    ? sut.recur().apiBaseUrl()
                    : seconds.get("schedule-api").baseUrl();
            long id = create(api, body);
            schedules.add(id);
            for (Instant m = first; !m.isAfter(last); m = m.plus(1, ChronoUnit.MINUTES)) {
                for (int i = 0; i < ITEMS; i++) {
                    expectedJobs.add(Ids.jobId(Ids.runId(id, m), i));
                }
            }
        }
        assertThat(Instant.now()).as("created before the first minute").isBefore(first.minusSeconds(3));

        // in the second minute: one instance of each service dies (the API that took half the schedules, the first
        // ticker, a job-runner and a delivery in mid-work); they come back in the third
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(100))
                .until(() ->
                        Instant.now().isAfter(first.plus(1, ChronoUnit.MINUTES).plusSeconds(4)));
        List<ServiceProcess> killed = List.of(
                seconds.get("schedule-api"),
                sut.recur().service("ticker"),
                seconds.get("job-runner"),
                sut.recur().service("delivery"));
        killed.forEach(ServiceProcess::kill);
        Instant killedAt = Instant.now();
        long killedNanos = System.nanoTime();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(100))
                .until(() ->
                        Instant.now().isAfter(first.plus(2, ChronoUnit.MINUTES).plusSeconds(20)));
        killed.forEach(ServiceProcess::start);
        killed.forEach(s -> s.awaitReady(Duration.ofMinutes(3)));
        Instant restartedAt = Instant.now();

        int expected = expectedJobs.size();
        LocalPeer receiver = sut.receiver();
        await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofSeconds(5))
                .untilAsserted(() -> {
                    assertThat(receiver.callbacks().keySet()).containsAll(expectedJobs);
                    assertThat(sut.objectJobIds(BUCKET, PREFIX)).hasSize(expected);
                    assertThat(schedules.stream().mapToLong(sut::totalJobCount).sum())
                            .isEqualTo(expected);
                });

        // each run of each minute once on recur.due-runs (one slice per run: the items are small)
        Map<String, Integer> runs = new HashMap<>();
        for (JsonNode run : sut.dueRunsOf(schedules)) {
            runs.merge(
                    run.path("run_id").asText() + "/" + run.path("slice_index").asInt(), 1, Integer::sum);
        }
        Set<String> expectedRuns = new HashSet<>();
        for (long id : schedules) {
            for (Instant m = first; !m.isAfter(last); m = m.plus(1, ChronoUnit.MINUTES)) {
                expectedRuns.add(Ids.runId(id, m) + "/0");
            }
        }
        long repeatedRuns = runs.values().stream().filter(c -> c > 1).count();
        Set<String> missingRuns = new HashSet<>(expectedRuns);
        missingRuns.removeAll(runs.keySet());
        long duplicateCallbacks = expectedJobs.stream()
                .map(receiver.callbacks()::get)
                .mapToLong(c -> c.get() - 1L)
                .sum();
        // a duplicate may only be an attempt in flight at the kill (as DeliveryCrashIT): its first copy arrived before
        // the kill, or within a second of it (a request the dead process had written, read a moment later)
        Map<Long, Long> firstCopy = receiver.firstCallbackNanos();
        long sentByTheDead = killedNanos + Duration.ofSeconds(1).toNanos();
        long duplicatedFirstAfterKill = expectedJobs.stream()
                .filter(j -> receiver.callbacks().get(j).get() > 1 && firstCopy.get(j) > sentByTheDead)
                .count();
        long stats = schedules.stream().mapToLong(sut::totalJobCount).sum();
        System.out.printf(
                Locale.ROOT,
                "[reliability] scale-out (2 instances of each service, one of each killed at %s,"
                        + " back at %s): %d schedules x %d items x %d minutes = %d jobs; runs on recur.due-runs %d of %d"
                        + " (missing %d, repeated %d, other %d); callbacks %d (duplicates %d, of jobs first called back"
                        + " after the kill %d); S3 objects %d; stats %d%n",
                killedAt,
                restartedAt,
                SCHEDULES,
                ITEMS,
                MINUTES,
                expected,
                runs.size(),
                expectedRuns.size(),
                missingRuns.size(),
                repeatedRuns,
                runs.size() - expectedRuns.size() + missingRuns.size(),
                expectedJobs.stream().filter(receiver.callbacks()::containsKey).count(),
                duplicateCallbacks,
                duplicatedFirstAfterKill,
                sut.objectJobIds(BUCKET, PREFIX).size(),
                stats);
        assertThat(missingRuns).as("runs missing on recur.due-runs").isEmpty();
        assertThat(repeatedRuns).as("runs published more than once").isZero();
        assertThat(runs.keySet()).isEqualTo(expectedRuns);
        assertThat(sut.objectJobIds(BUCKET, PREFIX)).isEqualTo(expectedJobs);
        assertThat(stats).isEqualTo(expected);
        assertThat(duplicatedFirstAfterKill)
                .as("duplicates of callbacks first sent after the kill")
                .isZero();
    }

    private static long create(String apiBaseUrl, String body) throws Exception {
        HttpResponse<String> response = sut.api(apiBaseUrl, "POST", "/v1/schedules", body, Duration.ofSeconds(30));
        assertThat(response.statusCode())
                .as("POST %s/v1/schedules: %s", apiBaseUrl, response.body())
                .isEqualTo(201);
        return RecurUnderTest.JSON.readTree(response.body()).path("schedule_id").asLong();
    }
}
