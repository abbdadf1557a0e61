package dev.recur.ticker.streams;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.json.EventJson;

/**
 * A schedule as the schedules store holds it: the snapshot JSON as received (the smallest faithful form), its
 * revision, and the minute at which the timeline holds it, so that a change can remove exactly that entry.
 *
 * @param plannedMinute epoch minute of its timeline entry, or {@link #NOT_PLANNED}
 */
record TrackedSchedule(long plannedMinute, long revision, byte[] json) {

    static final long NOT_PLANNED = -1;

    static final Serde<TrackedSchedule> SERDE = Serdes.serdeFrom(serializer(), deserializer());

    boolean planned() {
        return plannedMinute != NOT_PLANNED;
    }

    TrackedSchedule plannedAt(long minute) {
        return new TrackedSchedule(minute, revision, json);
    }

    ScheduleSnapshot snapshot() {
        return EventJson.read(json, ScheduleSnapshot.class);
    }

    private static Serializer<TrackedSchedule> serializer() {
        return (topic, tracked) -> tracked == null ? null
                : ByteBuffer.allocate(2 * Long.BYTES + tracked.json.length)
                        .putLong(tracked.plannedMinute).putLong(tracked.revision).put(tracked.json).array();
    }

    private static Deserializer<TrackedSchedule> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            return new TrackedSchedule(buffer.getLong(), buffer.getLong(),
                    Arrays.copyOfRange(bytes, 2 * Long.BYTES, bytes.length));
        };
    }
}
