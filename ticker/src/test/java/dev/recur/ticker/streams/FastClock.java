package dev.recur.ticker.streams;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that runs {@code speed} times faster than real time from {@code start}: real-broker tests see minutes pass in seconds. */
final class FastClock extends Clock {

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

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the ticker works in UTC");
    }
}
