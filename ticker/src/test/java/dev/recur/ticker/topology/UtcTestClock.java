package dev.recur.ticker.topology;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** What the tests' clocks share: the ticker works in UTC, so a clock in another zone is never asked for. */
abstract class UtcTestClock extends Clock {

    @Override
    public final ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public final Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the ticker works in UTC");
    }
}
