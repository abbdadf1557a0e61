package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.time.ApiTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scenario 4 (first half): the callback receiver down for 10 minutes ({@code reliability.receiver-outage})
 * during a run, then up again: with retries every 30 s at most and a limit (1 h) longer than the outage, every
 * callback arrives, each exactly once, and nothing is dead-lettered.
 */
@Tag("fault")
class CallbackReceiverOutageIT {

    private static final Duration OUTAGE = Duration.parse(System.getProperty("reliability.receiver-outage", "PT10M"));
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final int ITEMS = 50;
    private static final String BUCKET = "receiver-outage";

    private static RecurUnderTest sut;

    @BeforeAll
    static void start() {
        sut = RecurUnderTest.start(
                "receiver-outage",
                Map.of(
                        "recur.delivery.retry.max-attempts", "1000",
                        "recur.delivery.retry.initial-backoff", "PT2S",
                        "recur.delivery.retry.max-backoff", MAX_BACKOFF.toString(),
                        "recur.delivery.retry.max-age", "PT1H"));
    }

    @AfterAll
    static void stop() {
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    void shouldDeliverEveryCallbackOnceWhenTheReceiverComesBackAfterAnOutage() throws Exception {
        sut.recur().s3().createBucket(BUCKET);
        LocalPeer receiver = sut.receiver();
        receiver.down();
        Instant down = Instant.now();
        await().atMost(Duration.ofSeconds(70))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().atZone(ZoneOffset.UTC).getSecond() < 45);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        long schedule = sut.createSchedule("* * * * *", sut.items(ITEMS, BUCKET, "run"), ApiTime.format(minute));
        long runId = Ids.runId(schedule, minute);
        Set<Long> expected = new HashSet<>();
        for (int i = 0; i < ITEMS; i++) {
            expected.add(Ids.jobId(runId, i));
        }
        // the run went through (its S3 objects are there) while the callbacks wait
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(sut.objectJobIds(BUCKET, "run")).isEqualTo(expected));
        assertThat(receiver.distinctCallbacks()).isZero();
        await().pollDelay(Duration.between(Instant.now(), down.plus(OUTAGE)).abs())
                .atMost(Duration.between(Instant.now(), down.plus(OUTAGE)).abs().plusSeconds(5))
                .until(() -> true);
        receiver.up();
        Instant up = Instant.now();

        await().atMost(MAX_BACKOFF.multipliedBy(3))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(receiver.callbacks().keySet()).isEqualTo(expected));
        double catchUp = Duration.between(up, Instant.now()).toMillis() / 1000.0;
        // long enough for any retry still planned to show
        await().pollDelay(MAX_BACKOFF.multipliedBy(2))
                .atMost(MAX_BACKOFF.multipliedBy(2).plusSeconds(5))
                .until(() -> true);
        long deadLettered = sut.readTopic(Topics.DELIVERY_DLQ).stream()
                .filter(r -> r.value().contains(Long.toString(runId)))
                .count();
        System.out.printf(
                Locale.ROOT,
                "[reliability] scenario 4a (receiver down %.0f s): expected %d callbacks,"
                        + " delivered %d (duplicates %d, lost %d) within %.1f s of the receiver's return; dead letters %d%n",
                Duration.between(down, up).toMillis() / 1000.0,
                ITEMS,
                receiver.distinctCallbacks(),
                receiver.duplicateCallbacks(),
                ITEMS - receiver.distinctCallbacks(),
                catchUp,
                deadLettered);
        assertThat(receiver.duplicateCallbacks()).isZero();
        assertThat(deadLettered).isZero();
    }
}
