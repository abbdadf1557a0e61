package dev.recur.ticker.topology;

import java.time.Instant;

/** A clock that tests move, in step with the test driver's wall-clock time. */
final class MutableClock extends UtcTestClock {

    private volatile Instant now;

    MutableClock(Instant now) {
        this.now = now;
    }

    void set(Instant instant) {
        now = instant;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
