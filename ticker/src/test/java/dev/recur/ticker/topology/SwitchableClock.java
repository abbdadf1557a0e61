package dev.recur.ticker.topology;

import java.time.Instant;

/** Stands still at an instant until released, then runs at real speed from the instant it was released at. */
final class SwitchableClock extends UtcTestClock {

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
}
