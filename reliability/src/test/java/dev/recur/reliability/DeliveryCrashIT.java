package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import dev.recur.common.id.Ids;
import dev.recur.common.time.ApiTime;
import org.junit.jupiter.api.Test;

/**
 * Scenario 7: one run of 5,000 callbacks (50 schedules × 100 items); delivery is killed with SIGKILL while
 * they flow and started again at once. The attempts the dead process had taken (in flight or queued) must not wait
 * for their lease: every callback arrives within 30 s of the restarted delivery being ready, and a callback sent twice
 * must be one whose first copy had arrived before the kill (an attempt in flight at the crash).
 */
class DeliveryCrashIT {

    private static final int SCHEDULES = Integer.getInteger("reliability.delivery-crash.schedules", 50);
    private static final int ITEMS = Integer.getInteger("reliability.delivery-crash.items", 100);
    private static final Duration AFTER_READY = Duration.ofSeconds(30);
    // long enough to see a callback held by the old 5-minute lease arrive, so that a failure prints its figures
    private static final Duration GIVE_UP = Duration.ofMinutes(6);

    private final RecurUnderTest sut = RecurUnderTest.shared();

    @Test
    void shouldDeliverEveryCallbackWithin30SecondsOfTheRestartWhenDeliveryIsKilledMidRun() throws Exception {
        int expected = SCHEDULES * ITEMS;
        LocalPeer receiver = sut.receiver();
        // the schedules must reach the ticker before the minute they fire at (their last, end_time inclusive)
        await().atMost(Duration.ofSeconds(70))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().atZone(ZoneOffset.UTC).getSecond() < 25);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        String items = RecurUnderTest.itemsFor(ITEMS, receiver.callbackUrl(), null);
        Set<Long> jobs = new HashSet<>();
        for (int s = 0; s < SCHEDULES; s++) {
            long runId = Ids.runId(sut.createSchedule("* * * * *", items, ApiTime.format(minute)), minute);
            for (int i = 0; i < ITEMS; i++) {
                jobs.add(Ids.jobId(runId, i));
            }
        }
        assertThat(Instant.now())
                .as("schedules created before the minute they fire at")
                .isBefore(minute.minusSeconds(3));

        // a tenth of the run received: the rest is in delivery's hands (taken, queued, in flight) or still coming
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> received(receiver, jobs) >= expected / 10);
        sut.recur().service("delivery").kill();
        long killed = System.nanoTime();
        double killedAfterMinute = Duration.between(minute, Instant.now()).toMillis() / 1000.0;
        long receivedAtKill = received(receiver, jobs);
        sut.recur().service("delivery").start();
        sut.recur().service("delivery").awaitReady(Duration.ofMinutes(3));
        long ready = System.nanoTime();
        long receivedAtReady = received(receiver, jobs);

        await().atMost(GIVE_UP).pollInterval(Duration.ofMillis(200)).until(() -> received(receiver, jobs) == expected);
        // late copies of a callback would come within a few seconds of the others: wait for them before counting
        await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);

        Map<Long, Long> first = receiver.firstCallbackNanos();
        long lastArrival = jobs.stream().mapToLong(first::get).max().orElseThrow();
        double lastAfterReady = (lastArrival - ready) / 1e9;
        long lateAfterReady = jobs.stream()
                .filter(j -> first.get(j) - ready > AFTER_READY.toNanos())
                .count();
        List<Long> duplicated =
                jobs.stream().filter(j -> receiver.callbacks().get(j).get() > 1).toList();
        long duplicates = duplicated.stream()
                .mapToLong(j -> receiver.callbacks().get(j).get() - 1L)
                .sum();
        // a request the dead process had written may still be read by the receiver a moment after the kill; the
        // restarted process takes seconds to start, so nothing it sent arrives within this grace
        long sentByTheDead = killed + Duration.ofSeconds(1).toNanos();
        long duplicatedFirstAfterKill =
                duplicated.stream().filter(j -> first.get(j) > sentByTheDead).count();
        int maxCopies = jobs.stream()
                .map(receiver.callbacks()::get)
                .mapToInt(AtomicInteger::get)
                .max()
                .orElseThrow();
        System.out.printf(
                Locale.ROOT,
                "[reliability] scenario 7 (kill -9 of delivery in a run of %d callbacks):"
                        + " killed %.1f s after the minute with %d received; ready again %.1f s after the kill (%d"
                        + " received by then); last callback %.1f s after ready (%d later than %d s); callbacks"
                        + " delivered %d (lost %d, duplicates %d on %d jobs, of which first received after the kill %d;"
                        + " most copies of one %d; unidentified %d)%n",
                expected,
                killedAfterMinute,
                receivedAtKill,
                (ready - killed) / 1e9,
                receivedAtReady,
                lastAfterReady,
                lateAfterReady,
                AFTER_READY.toSeconds(),
                received(receiver, jobs),
                expected - received(receiver, jobs),
                duplicates,
                duplicated.size(),
                duplicatedFirstAfterKill,
                maxCopies,
                receiver.unidentifiedCallbacks());

        assertThat(receivedAtKill).as("callbacks received at the kill").isLessThan(expected);
        assertThat(lateAfterReady)
                .as("callbacks that arrived later than %s after the restart was ready", AFTER_READY)
                .isZero();
        assertThat(duplicatedFirstAfterKill)
                .as("duplicates of callbacks first sent after the kill")
                .isZero();
        assertThat(maxCopies).as("copies of one callback").isLessThanOrEqualTo(2);
        assertThat(receiver.unidentifiedCallbacks()).isZero();
    }

    /** Callbacks of this run's jobs received so far (the shared receiver also gets other tests' callbacks). */
    private static long received(LocalPeer receiver, Set<Long> jobs) {
        Map<Long, AtomicInteger> callbacks = receiver.callbacks();
        return jobs.stream().filter(callbacks::containsKey).count();
    }
}
