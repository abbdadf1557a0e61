package dev.recur.ticker.streams;

import java.nio.ByteBuffer;

import org.apache.kafka.common.utils.Bytes;

/**
 * Key of the timeline store: epoch minute then schedule id, both big-endian. Both are non-negative, so the
 * stores' unsigned byte order is time order and a range scan up to "now" finds every due entry.
 */
final class TimelineKey {

    static final int SIZE = 2 * Long.BYTES;
    static final Bytes FIRST = of(0, 0);

    private TimelineKey() {
    }

    static Bytes of(long epochMinute, long scheduleId) {
        return Bytes.wrap(ByteBuffer.allocate(SIZE).putLong(epochMinute).putLong(scheduleId).array());
    }

    /** The greatest key of {@code epochMinute}: the inclusive end of a scan up to that minute. */
    static Bytes lastOf(long epochMinute) {
        return of(epochMinute, Long.MAX_VALUE);
    }

    static long epochMinute(Bytes key) {
        return longAt(key.get(), 0);
    }

    static long scheduleId(Bytes key) {
        return longAt(key.get(), Long.BYTES);
    }

    // read for every fired run: cheaper than wrapping the array in a ByteBuffer each time
    private static long longAt(byte[] bytes, int offset) {
        long value = 0;
        for (int i = offset; i < offset + Long.BYTES; i++) {
            value = value << 8 | bytes[i] & 0xFF;
        }
        return value;
    }
}
