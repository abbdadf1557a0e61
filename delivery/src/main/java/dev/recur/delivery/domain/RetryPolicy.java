package dev.recur.delivery.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

import dev.recur.common.retry.Backoff;

/**
 * Retries of a delivery: {@link Backoff} with "equal" jitter (the n-th retry waits a random time in
 * [backoff/2, backoff]), so that receivers coming back after an outage are not hit by every retry at once, bounded by
 * a number of attempts and an age.
 */
public record RetryPolicy(int maxAttempts, Duration maxAge, Backoff backoff) {

    /** Equal jitter: half of each wait is drawn at random. */
    private static final double JITTER = 0.5;

    public RetryPolicy(int maxAttempts, Duration maxAge, Duration initialBackoff, Duration maxBackoff) {
        this(maxAttempts, maxAge, new Backoff(initialBackoff, maxBackoff, JITTER));
    }

    /**
     * When to try again after {@code attemptsMade} failed attempts, the first at {@code firstAttemptAt};
     * empty when the delivery has to give up.
     */
    public Optional<Instant> nextAttempt(
            int attemptsMade, Instant firstAttemptAt, Instant now, RandomGenerator random) {
        if (attemptsMade >= maxAttempts) {
            return Optional.empty();
        }
        Instant next = now.plus(backoff.delay(attemptsMade, random));
        return next.isAfter(firstAttemptAt.plus(maxAge)) ? Optional.empty() : Optional.of(next);
    }
}
