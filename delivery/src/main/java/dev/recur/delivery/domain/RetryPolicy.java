package dev.recur.delivery.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with "equal" jitter, bounded by a number of attempts and an age: the n-th retry
 * waits a random time in [backoff/2, backoff] with backoff = min(initial * 2^(n-1), max), so that
 * receivers coming back after an outage are not hit by every retry at once.
 */
public record RetryPolicy(int maxAttempts, Duration maxAge, Duration initialBackoff, Duration maxBackoff) {

    /**
     * When to try again after {@code attemptsMade} failed attempts, the first at {@code firstAttemptAt};
     * empty when the delivery has to give up.
     */
    public Optional<Instant> nextAttempt(int attemptsMade, Instant firstAttemptAt, Instant now,
            RandomGenerator random) {
        if (attemptsMade >= maxAttempts) {
            return Optional.empty();
        }
        long cap = maxBackoff.toMillis();
        long backoff = Math.min(initialBackoff.toMillis(), cap);
        for (int retry = 1; retry < attemptsMade && backoff < cap; retry++) {
            backoff = Math.min(backoff * 2, cap);
        }
        long wait = backoff - random.nextLong(backoff / 2 + 1);
        Instant next = now.plusMillis(wait);
        return next.isAfter(firstAttemptAt.plus(maxAge)) ? Optional.empty() : Optional.of(next);
    }
}
