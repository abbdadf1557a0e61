package dev.recur.common.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter, the one formula every retry in Recur uses: the n-th retry waits
 * {@code base = min(initial * 2^(n-1), max)} minus a random share of at most {@code jitter * base}, so that the
 * retries of many jobs or deliveries that failed together do not arrive together. {@code jitter} 0.5 is "equal
 * jitter" (a wait in [base/2, base]); 0 waits exactly {@code base}.
 *
 * @param initial the wait before the first retry (before jitter)
 * @param max the cap on {@code base}
 * @param jitter the share of {@code base} drawn at random, from 0 to 1
 */
public record Backoff(Duration initial, Duration max, double jitter) {

    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff needs 0 <= initial <= max, got initial " + initial + " and max " + max);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("backoff jitter must be between 0 and 1, got " + jitter);
        }
    }

    /** Doubling from {@code initial} up to {@code max}, without jitter. */
    public static Backoff doubling(Duration initial, Duration max) {
        return new Backoff(initial, max, 0);
    }

    /**
     * The wait before retry number {@code retry} (1 for the retry after the first failure).
     *
     * @param random the source of the jitter; tests pass a seeded or fixed one
     */
    public Duration delay(int retry, RandomGenerator random) {
        long base = base(retry);
        long share = jitter == 0 ? 0 : (long) (base * jitter * random.nextDouble());
        return Duration.ofMillis(base - share);
    }

    /** {@code min(initial * 2^(retry-1), max)} in milliseconds, without overflow for any retry number. */
    long base(int retry) {
        long cap = max.toMillis();
        long first = initial.toMillis();
        int doublings = Math.max(0, retry - 1);
        if (first == 0) {
            return 0;
        }
        if (doublings >= Long.numberOfLeadingZeros(first) - 1) {
            return cap;
        }
        return Math.min(cap, first << doublings);
    }
}
