package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.time.ApiTime;
import org.junit.jupiter.api.Test;

/**
 * Scenario 4 (second half): a callback receiver that stays down past the retry limit (the shared system
 * gives up after 3 attempts): every one of its deliveries lands in {@code recur.delivery-dlq} with its reason, once.
 */
class CallbackDeadLetterIT {

    private static final int ITEMS = 20;

    private final RecurUnderTest sut = RecurUnderTest.shared();

    @Test
    void shouldDeadLetterEveryCallbackWithItsReasonWhenTheReceiverStaysDownPastTheLimit() throws Exception {
        LocalPeer neverUp = new LocalPeer();
        await().atMost(Duration.ofSeconds(70))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().atZone(ZoneOffset.UTC).getSecond() < 45);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        String items = RecurUnderTest.itemsFor(ITEMS, neverUp.callbackUrl(), null);
        long schedule = sut.createSchedule("* * * * *", items, ApiTime.format(minute));
        long runId = Ids.runId(schedule, minute);
        Set<Long> expected = new HashSet<>();
        for (int i = 0; i < ITEMS; i++) {
            expected.add(Ids.jobId(runId, i));
        }

        Map<Long, JsonNode> deadLetters = new HashMap<>();
        Map<Long, Integer> letterCount = new HashMap<>();
        await().atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofSeconds(3))
                .untilAsserted(() -> {
                    deadLetters.clear();
                    letterCount.clear();
                    for (var record : sut.readTopic(Topics.DELIVERY_DLQ)) {
                        JsonNode letter = RecurUnderTest.JSON.readTree(record.value());
                        long job = letter.path("job_id").asLong();
                        if (expected.contains(job)) {
                            deadLetters.put(job, letter);
                            letterCount.merge(job, 1, Integer::sum);
                        }
                    }
                    assertThat(deadLetters.keySet()).isEqualTo(expected);
                });
        double seconds = Duration.between(minute, Instant.now()).toMillis() / 1000.0;
        JsonNode sample = deadLetters.values().iterator().next();
        long duplicates = letterCount.values().stream().mapToLong(c -> c - 1L).sum();
        System.out.printf(
                Locale.ROOT,
                "[reliability] scenario 4b (receiver down past the limit of 3 attempts):"
                        + " expected %d dead letters, found %d (duplicates %d, lost %d) within %.1f s of the run's"
                        + " minute; sample: kind=%s attempts=%d reason=%s%n",
                ITEMS,
                deadLetters.size(),
                duplicates,
                ITEMS - deadLetters.size(),
                seconds,
                sample.path("kind").asText(),
                sample.path("attempts").asInt(),
                sample.path("reason").asText());
        for (JsonNode letter : deadLetters.values()) {
            assertThat(letter.path("kind").asText()).isEqualTo("callback");
            assertThat(letter.path("target").asText()).isEqualTo(neverUp.callbackUrl());
            assertThat(letter.path("schedule_id").asLong()).isEqualTo(schedule);
            assertThat(letter.path("run_id").asLong()).isEqualTo(runId);
            assertThat(letter.path("attempts").asInt()).isEqualTo(3);
            assertThat(letter.path("reason").asText()).isNotBlank();
        }
        assertThat(duplicates).isZero();
        assertThat(neverUp.distinctCallbacks()).isZero();
    }
}
