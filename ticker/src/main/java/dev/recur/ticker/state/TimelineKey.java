package dev.recur.ticker.state;

import java.nio.ByteBuffer;

import org.apache.kafka.common.utils.Bytes;

/**
 * A timeline position as the progress store keeps it: epoch minute then schedule id, both big-endian. Both are
 * non-negative, so the unsigned byte order of these keys is the timeline's order.
 */
public final class TimelineKey {

    static final int SIZE = 2 * Long.BYTES;

    private TimelineKey() {}

    public static Bytes of(long epochMinute, long scheduleId) {
        return Bytes.wrap(ByteBuffer.allocate(SIZE)
                .putLong(epochMinute)
                .putLong(scheduleId)
                .array());
    }

    public static long epochMinute(Bytes key) {
        return longAt(key.get(), 0);
    }

    public static long scheduleId(Bytes key) {
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
