package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.time.ApiTime;
import org.junit.jupiter.api.Test;

/**
 * Scenario 2: the Kafka broker, then PostgreSQL, stopped for 60 s each (system properties
 * {@code reliability.broker-outage} and {@code reliability.database-outage}) while a schedule runs every minute and
 * a client keeps creating schedules. The services must recover by themselves (same processes), no acknowledged
 * (2xx) creation may be lost, and while the database is down the API must answer 503 with the error body, quickly.
 */
class BrokerAndDatabaseOutageIT {

    private static final Duration BROKER_OUTAGE =
            Duration.parse(System.getProperty("reliability.broker-outage", "PT60S"));
    private static final Duration DATABASE_OUTAGE =
            Duration.parse(System.getProperty("reliability.database-outage", "PT60S"));
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final int TRAFFIC_ITEMS = 20;
    private static final String BUCKET = "outage-results";
    private static final String PREFIX = "traffic";

    private final RecurUnderTest sut = RecurUnderTest.shared();
    private final AtomicReference<String> phase = new AtomicReference<>("before");
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    /** Per phase: answers by status code (-1 = client timeout, -2 = connection error). */
    private final Map<String, Map<Integer, AtomicLong>> answers = new ConcurrentHashMap<>();

    private final Map<String, AtomicLong> maxLatencyMillis = new ConcurrentHashMap<>();
    private final List<String> badErrorBodies = new ArrayList<>();

    @Test
    void shouldRecoverAndLoseNoAcknowledgedCreationWhenBrokerAndDatabaseAreStopped() throws Exception {
        sut.recur().s3().createBucket(BUCKET);
        Instant created = Instant.now();
        long traffic = sut.createSchedule(
                "* * * * *",
                sut.items(TRAFFIC_ITEMS, BUCKET, PREFIX),
                ApiTime.format(created.plus(1, ChronoUnit.DAYS)));
        Map<String, Long> pids = new HashMap<>();
        RecurUnderTest.SERVICES.forEach(s -> pids.put(s, sut.recur().service(s).pid()));

        ScheduledExecutorService client = Executors.newSingleThreadScheduledExecutor();
        client.scheduleWithFixedDelay(this::createOne, 0, 200, TimeUnit.MILLISECONDS);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 10);

            Outage broker = outage(
                    "broker",
                    BROKER_OUTAGE,
                    sut.recur().kafka()::stop,
                    sut.recur().kafka()::start);
            Outage database = outage(
                    "database",
                    DATABASE_OUTAGE,
                    sut.recur().postgres()::stop,
                    sut.recur().postgres()::start);
            // creations succeed again
            long acknowledgedAtRecovery = acknowledged.size();
            await().atMost(Duration.ofMinutes(2)).until(() -> acknowledged.size() > acknowledgedAtRecovery + 10);
            Instant recovered = Instant.now();
            client.shutdown();
            assertThat(client.awaitTermination(CLIENT_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS))
                    .isTrue();

            // every acknowledged creation readable through the API and relayed to the ticker's topic
            Set<Long> unreadable = new HashSet<>();
            for (long id : acknowledged) {
                if (sut.api("GET", "/v1/schedules/" + id, null, CLIENT_TIMEOUT).statusCode() != 200) {
                    unreadable.add(id);
                }
            }
            Set<Long> notRelayed = new HashSet<>(acknowledged);
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> {
                        sut.readTopic(Topics.SCHEDULES).forEach(r -> notRelayed.remove(Long.parseLong(r.key())));
                        assertThat(notRelayed).isEmpty();
                    });

            // the running schedule: every minute from its first to one after the recovery delivered whole
            Instant first = created.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
            Instant last = recovered.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
            Set<Long> expectedJobs = new HashSet<>();
            int minutes = 0;
            for (Instant m = first; !m.isAfter(last); m = m.plus(1, ChronoUnit.MINUTES)) {
                minutes++;
                long runId = Ids.runId(traffic, m);
                for (int i = 0; i < TRAFFIC_ITEMS; i++) {
                    expectedJobs.add(Ids.jobId(runId, i));
                }
            }
            LocalPeer receiver = sut.receiver();
            await().atMost(Duration.ofMinutes(4))
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(
                            () -> assertThat(receiver.callbacks().keySet()).containsAll(expectedJobs));
            Set<Long> objects = sut.objectJobIds(BUCKET, PREFIX);
            Set<Long> lostObjects = new HashSet<>(expectedJobs);
            lostObjects.removeAll(objects);
            long duplicates = expectedJobs.stream()
                    .mapToLong(id -> receiver.callbacks().get(id).get() - 1L)
                    .sum();

            System.out.printf(
                    Locale.ROOT,
                    "[reliability] scenario 2 (broker down %.0f s, database down %.0f s):"
                            + " creations acknowledged %d, lost %d (unreadable %d, not relayed %d); answers per phase %s;"
                            + " max latency per phase (ms) %s; broker recovery %.1f s, database recovery %.1f s after restart;"
                            + " running schedule: %d minutes, %d jobs expected, callbacks %d (duplicates %d), S3 lost %d%n",
                    broker.seconds(),
                    database.seconds(),
                    acknowledged.size(),
                    unreadable.size() + notRelayed.size(),
                    unreadable.size(),
                    notRelayed.size(),
                    new TreeMap<>(answers),
                    new TreeMap<>(maxLatencyMillis),
                    broker.recoverySeconds(),
                    database.recoverySeconds(),
                    minutes,
                    expectedJobs.size(),
                    expectedJobs.stream()
                            .filter(receiver.callbacks()::containsKey)
                            .count(),
                    duplicates,
                    lostObjects.size());

            assertThat(unreadable).as("acknowledged creations not readable").isEmpty();
            RecurUnderTest.SERVICES.forEach(
                    s -> assertThat(sut.recur().service(s).pid())
                            .as(s + " restarted")
                            .isEqualTo(pids.get(s)));
            assertThat(answers.get("database down"))
                    .as("503 while the database is down")
                    .containsKey(503);
            assertThat(badErrorBodies)
                    .as("non-2xx answers without the error body")
                    .isEmpty();
            answers.forEach((p, byStatus) -> assertThat(byStatus.keySet())
                    .as("statuses while " + p)
                    .allMatch(status -> status == 201 || status == 503));
            assertThat(maxLatencyMillis.values()).allMatch(max -> max.get() < 10_000);
            assertThat(lostObjects).isEmpty();
        } finally {
            client.shutdownNow();
            sut.api("PUT", "/v1/schedules/" + traffic + "/state", "{\"active\":false}", CLIENT_TIMEOUT);
        }
    }

    private void createOne() {
        String currentPhase = phase.get();
        String body = "{\"cron\":\"0 0 1 1 *\",\"items\":[{\"source\":\"amazon_product\",\"query\":\"outage\"}],"
                + "\"end_time\":\"" + ApiTime.format(Instant.now().plus(400, ChronoUnit.DAYS)) + "\"}";
        long start = System.nanoTime();
        int status;
        try {
            HttpResponse<String> r = sut.api("POST", "/v1/schedules", body, CLIENT_TIMEOUT);
            status = r.statusCode();
            if (status / 100 == 2) {
                acknowledged.add(RecurUnderTest.JSON
                        .readTree(r.body())
                        .path("schedule_id")
                        .asLong());
            } else if (!hasErrorBody(r.body())) {
                synchronized (badErrorBodies) {
                    badErrorBodies.add(status + " " + r.body());
                }
            }
        } catch (HttpTimeoutException e) {
            status = -1;
        } catch (IOException e) {
            status = -2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        answers.computeIfAbsent(currentPhase, p -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> new AtomicLong())
                .incrementAndGet();
        maxLatencyMillis.computeIfAbsent(currentPhase, p -> new AtomicLong()).accumulateAndGet(millis, Math::max);
    }

    private static boolean hasErrorBody(String body) {
        try {
            JsonNode error = RecurUnderTest.JSON.readTree(body);
            return error.path("message").isTextual()
                    && !error.path("message").asText().isBlank();
        } catch (IOException e) {
            return false;
        }
    }

    /** How long a dependency was away, and how long after its return every service was ready again. */
    private record Outage(double seconds, double recoverySeconds) {}

    private Outage outage(String dependency, Duration duration, Runnable stop, Runnable start) {
        phase.set(dependency + " down");
        stop.run();
        long down = System.nanoTime();
        await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> true);
        start.run();
        phase.set("after " + dependency);
        long up = System.nanoTime();
        awaitAllReady();
        return new Outage((up - down) / 1e9, RecurUnderTest.seconds(up));
    }

    private void awaitAllReady() {
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Map<String, Integer> readiness = new TreeMap<>();
                    RecurUnderTest.SERVICES.forEach(s -> readiness.put(s, sut.readiness(s)));
                    assertThat(readiness)
                            .as("readiness without a restart by hand")
                            .allSatisfy((s, status) -> assertThat(status).isEqualTo(200));
                });
    }
}
