package dev.recur.delivery.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant FIRST = Instant.parse("2026-11-29T16:00:00Z");
    private final RetryPolicy policy =
            new RetryPolicy(10, Duration.ofHours(24), Duration.ofSeconds(30), Duration.ofHours(2));
    private final Random random = new Random(42);

    @Test
    void shouldWaitBetweenHalfAndAllOfTheBackoffWhenRetrying() {
        for (int attempts = 1; attempts <= 5; attempts++) {
            long backoff = 30_000L << (attempts - 1);
            for (int i = 0; i < 50; i++) {
                Duration wait = Duration.between(
                        FIRST,
                        policy.nextAttempt(attempts, FIRST, FIRST, random).orElseThrow());
                assertThat(wait.toMillis()).isBetween(backoff / 2, backoff);
            }
        }
    }

    @Test
    void shouldCapTheBackoffWhenManyAttemptsFailed() {
        RetryPolicy many = new RetryPolicy(1000, Duration.ofDays(365), Duration.ofSeconds(30), Duration.ofHours(2));
        Duration wait = Duration.between(
                FIRST, many.nextAttempt(500, FIRST, FIRST, random).orElseThrow());
        assertThat(wait).isBetween(Duration.ofHours(1), Duration.ofHours(2));
    }

    @Test
    void shouldGiveUpWhenAttemptsAreUsedUp() {
        assertThat(policy.nextAttempt(9, FIRST, FIRST, random)).isPresent();
        assertThat(policy.nextAttempt(10, FIRST, FIRST, random)).isEmpty();
    }

    @Test
    void shouldGiveUpWhenTheNextAttemptWouldBeTooOld() {
        Instant now = FIRST.plus(Duration.ofHours(23)).plusSeconds(59 * 60 + 50);
        assertThat(policy.nextAttempt(1, FIRST, now, random)).isEmpty();
        assertThat(policy.nextAttempt(1, FIRST, FIRST.plus(Duration.ofHours(1)), random))
                .isPresent();
    }
}
