package dev.recur.ticker.streams;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Stands still at an instant until released, then runs at real speed from the instant it was released at. */
final class SwitchableClock extends Clock {

    private volatile Instant frozen;
    private volatile long releasedNanos;
    private volatile Instant releasedAt;

    SwitchableClock(Instant frozen) {
        this.frozen = frozen;
    }

    void release(Instant at) {
        releasedNanos = System.nanoTime();
        releasedAt = at;
        frozen = null;
    }

    @Override
    public Instant instant() {
        Instant stopped = frozen;
        return stopped != null ? stopped : releasedAt.plusNanos(System.nanoTime() - releasedNanos);
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
