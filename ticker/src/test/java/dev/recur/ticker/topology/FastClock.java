package dev.recur.ticker.topology;

import java.time.Instant;

/** A clock that runs {@code speed} times faster than real time from {@code start}: real-broker tests see minutes pass in seconds. */
final class FastClock extends UtcTestClock {

    private final Instant start;
    private final long startNanos = System.nanoTime();
    private final long speed;

    FastClock(Instant start, long speed) {
        this.start = start;
        this.speed = speed;
    }

    @Override
    public Instant instant() {
        return start.plusNanos((System.nanoTime() - startNanos) * speed);
    }
}
