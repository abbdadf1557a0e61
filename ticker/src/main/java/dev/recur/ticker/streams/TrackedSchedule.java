package dev.recur.ticker.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.recur.common.event.CatchUp;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.json.EventJson;

/**
 * A schedule as the schedules store holds it: what firing needs, digested once when the snapshot arrives, in a
 * compact binary form. The items stay as the JSON array that goes into each due-run as is, so that firing a run
 * neither parses the snapshot nor serializes the items again. It changes only when the schedule does: where the
 * schedule stands in time is in the plans store.
 *
 * @param catchUp null for the default ({@link CatchUp#FIRE_ONCE})
 * @param itemsJson the items as a JSON array, {@code []} when the snapshot has none
 */
record TrackedSchedule(long revision, String owner, String cron, String timezone, Instant start, Instant end,
        CatchUp catchUp, int jitterSeconds, int itemCount, byte[] itemsJson) {

    static final Serde<TrackedSchedule> SERDE = Serdes.serdeFrom(serializer(), deserializer());

    private static final TypeReference<List<ObjectNode>> ITEMS = new TypeReference<>() {
    };
    private static final long ABSENT = Long.MIN_VALUE;
    private static final int INSTANT_BYTES = Long.BYTES + Integer.BYTES;

    static TrackedSchedule of(ScheduleSnapshot snapshot) {
        List<ObjectNode> items = snapshot.items() == null ? List.of() : snapshot.items();
        return new TrackedSchedule(snapshot.revision(), snapshot.owner(), snapshot.cron(), snapshot.timezone(),
                snapshot.startTime(), snapshot.endTime(), snapshot.catchUp(), snapshot.jitterSeconds(), items.size(),
                EventJson.write(items));
    }

    /** The items as objects: only for a run too large for one message, which has to be sliced. */
    List<ObjectNode> items() {
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
            ByteBuffer out = ByteBuffer.allocate(Long.BYTES + 3 * Integer.BYTES + length(owner) + length(cron)
                    + length(timezone) + 2 * INSTANT_BYTES + 1 + 2 * Integer.BYTES + tracked.itemsJson.length);
            out.putLong(tracked.revision);
            putString(out, owner);
            putString(out, cron);
            putString(out, timezone);
            putInstant(out, tracked.start);
            putInstant(out, tracked.end);
            out.put((byte) (tracked.catchUp == null ? -1 : tracked.catchUp.ordinal()));
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
            byte catchUp = in.get();
            int jitter = in.getInt();
            int itemCount = in.getInt();
            return new TrackedSchedule(revision, owner, cron, timezone, start, end,
                    catchUp < 0 ? null : CatchUp.values()[catchUp], jitter, itemCount,
                    Arrays.copyOfRange(bytes, in.position(), bytes.length));
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
        out.putLong(instant == null ? ABSENT : instant.getEpochSecond()).putInt(instant == null ? 0 : instant.getNano());
    }

    private static Instant getInstant(ByteBuffer in) {
        long seconds = in.getLong();
        int nanos = in.getInt();
        return seconds == ABSENT ? null : Instant.ofEpochSecond(seconds, nanos);
    }
}
