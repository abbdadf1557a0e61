package dev.recur.ticker.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.CatchUp;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.json.EventJson;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A schedule as the schedules store holds it: what firing needs, digested once when the snapshot arrives, in a
 * compact binary form. The items stay as the JSON array that goes into each due-run as is, so that firing a run
 * neither parses the snapshot nor serializes the items again. It changes only when the schedule does: where the
 * schedule stands in time is in the plans store.
 *
 * @param catchUp null for the default ({@link CatchUp#FIRE_ONCE})
 * @param itemsJson the items as a JSON array, {@code []} when the snapshot has none
 * @param traceparent the W3C trace context the snapshot's record carried (the API request that made this revision),
 *     which each run's trace links to; null when tracing is off, and then not stored at all
 */
public record TrackedSchedule(
        long revision,
        String owner,
        String cron,
        String timezone,
        Instant start,
        Instant end,
        CatchUp catchUp,
        int jitterSeconds,
        int itemCount,
        byte[] itemsJson,
        String traceparent) {

    public static final Serde<TrackedSchedule> SERDE = Serdes.serdeFrom(serializer(), deserializer());

    private static final TypeReference<List<ObjectNode>> ITEMS = new TypeReference<>() {};
    private static final long ABSENT = Long.MIN_VALUE;
    private static final int INSTANT_BYTES = Long.BYTES + Integer.BYTES;
    /**
     * Added to the catch-up byte (-1 to 2) when a trace context follows it: a record written before there was one
     * reads as it was written, and one without a context costs no byte more.
     */
    private static final int TRACED = 16;

    TrackedSchedule(
            long revision,
            String owner,
            String cron,
            String timezone,
            Instant start,
            Instant end,
            CatchUp catchUp,
            int jitterSeconds,
            int itemCount,
            byte[] itemsJson) {
        this(revision, owner, cron, timezone, start, end, catchUp, jitterSeconds, itemCount, itemsJson, null);
    }

    public static TrackedSchedule of(ScheduleSnapshot snapshot) {
        return of(snapshot, null);
    }

    public static TrackedSchedule of(ScheduleSnapshot snapshot, String traceparent) {
        List<ObjectNode> items = snapshot.items() == null ? List.of() : snapshot.items();
        return new TrackedSchedule(
                snapshot.revision(),
                snapshot.owner(),
                snapshot.cron(),
                snapshot.timezone(),
                snapshot.startTime(),
                snapshot.endTime(),
                snapshot.catchUp(),
                snapshot.jitterSeconds(),
                items.size(),
                EventJson.write(items),
                traceparent);
    }

    /** The items as objects: only for a run too large for one message, which has to be sliced. */
    public List<ObjectNode> items() {
        try {
            return EventJson.mapper().readValue(itemsJson, ITEMS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the items of a stored schedule", e);
        }
    }

    private static Serializer<TrackedSchedule> serializer() {
        return (topic, tracked) -> {
            if (tracked == null) {
                return null;
            }
            byte[] owner = utf8(tracked.owner);
            byte[] cron = utf8(tracked.cron);
            byte[] timezone = utf8(tracked.timezone);
            byte[] traceparent = utf8(tracked.traceparent);
            ByteBuffer out = ByteBuffer.allocate(Long.BYTES
                    + 3 * Integer.BYTES
                    + length(owner)
                    + length(cron)
                    + length(timezone)
                    + 2 * INSTANT_BYTES
                    + 1
                    + 2 * Integer.BYTES
                    + tracked.itemsJson.length
                    + (traceparent == null ? 0 : Integer.BYTES + traceparent.length));
            out.putLong(tracked.revision);
            putString(out, owner);
            putString(out, cron);
            putString(out, timezone);
            putInstant(out, tracked.start);
            putInstant(out, tracked.end);
            int catchUp = tracked.catchUp == null ? -1 : tracked.catchUp.ordinal();
            out.put((byte) (traceparent == null ? catchUp : catchUp + TRACED));
            if (traceparent != null) {
                putString(out, traceparent);
            }
            out.putInt(tracked.jitterSeconds);
            out.putInt(tracked.itemCount);
            return out.put(tracked.itemsJson).array();
        };
    }

    private static Deserializer<TrackedSchedule> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            ByteBuffer in = ByteBuffer.wrap(bytes);
            long revision = in.getLong();
            String owner = getString(in);
            String cron = getString(in);
            String timezone = getString(in);
            Instant start = getInstant(in);
            Instant end = getInstant(in);
            int catchUp = in.get();
            String traceparent = null;
            if (catchUp >= TRACED - 1) {
                catchUp -= TRACED;
                traceparent = getString(in);
            }
            int jitter = in.getInt();
            int itemCount = in.getInt();
            return new TrackedSchedule(
                    revision,
                    owner,
                    cron,
                    timezone,
                    start,
                    end,
                    catchUp < 0 ? null : CatchUp.values()[catchUp],
                    jitter,
                    itemCount,
                    Arrays.copyOfRange(bytes, in.position(), bytes.length),
                    traceparent);
        };
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static int length(byte[] utf8) {
        return utf8 == null ? 0 : utf8.length;
    }

    private static void putString(ByteBuffer out, byte[] utf8) {
        if (utf8 == null) {
            out.putInt(-1);
        } else {
            out.putInt(utf8.length).put(utf8);
        }
    }

    private static String getString(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0) {
            return null;
        }
        String text = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return text;
    }

    private static void putInstant(ByteBuffer out, Instant instant) {
        out.putLong(instant == null ? ABSENT : instant.getEpochSecond())
                .putInt(instant == null ? 0 : instant.getNano());
    }

    private static Instant getInstant(ByteBuffer in) {
        long seconds = in.getLong();
        int nanos = in.getInt();
        return seconds == ABSENT ? null : Instant.ofEpochSecond(seconds, nanos);
    }
}
