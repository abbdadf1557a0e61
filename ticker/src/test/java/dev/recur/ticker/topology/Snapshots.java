package dev.recur.ticker.topology;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.CatchUp;
import dev.recur.common.event.Overlap;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.json.EventJson;

/** Schedule snapshots for tests: a builder-like value with the fields the ticker reads. */
public record Snapshots(
        long id,
        long revision,
        String cron,
        String zone,
        List<ObjectNode> items,
        Instant start,
        Instant end,
        boolean active,
        CatchUp catchUp,
        int jitterSeconds,
        Instant accepted) {

    private static final long PLACEHOLDER_ID = 987_654_321_987_654_321L;
    public static final Instant FAR_END = Instant.parse("2030-01-01T00:00:00Z");

    public static Snapshots schedule(long id, String cron) {
        return new Snapshots(id, 1, cron, "UTC", items(1), null, FAR_END, true, null, 0, null);
    }

    public static List<ObjectNode> items(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> EventJson.mapper()
                        .createObjectNode()
                        .put("source", "universal")
                        .put("url", "https://example.com/item/" + i))
                .toList();
    }

    public Snapshots next() {
        return new Snapshots(id, revision + 1, cron, zone, items, start, end, active, catchUp, jitterSeconds, accepted);
    }

    public Snapshots cron(String value) {
        return new Snapshots(id, revision, value, zone, items, start, end, active, catchUp, jitterSeconds, accepted);
    }

    public Snapshots zone(String value) {
        return new Snapshots(id, revision, cron, value, items, start, end, active, catchUp, jitterSeconds, accepted);
    }

    public Snapshots items(List<ObjectNode> value) {
        return new Snapshots(id, revision, cron, zone, value, start, end, active, catchUp, jitterSeconds, accepted);
    }

    public Snapshots start(Instant value) {
        return new Snapshots(id, revision, cron, zone, items, value, end, active, catchUp, jitterSeconds, accepted);
    }

    public Snapshots end(Instant value) {
        return new Snapshots(id, revision, cron, zone, items, start, value, active, catchUp, jitterSeconds, accepted);
    }

    public Snapshots active(boolean value) {
        return new Snapshots(id, revision, cron, zone, items, start, end, value, catchUp, jitterSeconds, accepted);
    }

    public Snapshots catchUp(CatchUp value) {
        return new Snapshots(id, revision, cron, zone, items, start, end, active, value, jitterSeconds, accepted);
    }

    /** The instant schedule-api accepted this version ({@code updated_at}); null leaves it out (the ticker's now). */
    public Snapshots acceptedAt(Instant value) {
        return new Snapshots(id, revision, cron, zone, items, start, end, active, catchUp, jitterSeconds, value);
    }

    public Snapshots jitter(int seconds) {
        return new Snapshots(id, revision, cron, zone, items, start, end, active, catchUp, seconds, accepted);
    }

    /**
     * The JSON of this snapshot for any schedule id, serialized once: loading a million snapshots with Jackson
     * took longer than the ticker needed to take them in.
     */
    public Template template() {
        String json = new String(
                EventJson.write(new Snapshots(
                                PLACEHOLDER_ID,
                                revision,
                                cron,
                                zone,
                                items,
                                start,
                                end,
                                active,
                                catchUp,
                                jitterSeconds,
                                accepted)
                        .snapshot()),
                StandardCharsets.UTF_8);
        String placeholder = "\"schedule_id\":" + PLACEHOLDER_ID;
        int at = json.indexOf(placeholder);
        return new Template(
                json.substring(
                                0,
                                at
                                        + placeholder.length()
                                        - Long.toString(PLACEHOLDER_ID).length())
                        .getBytes(StandardCharsets.UTF_8),
                json.substring(at + placeholder.length()).getBytes(StandardCharsets.UTF_8));
    }

    /** A snapshot's JSON split around its schedule id. */
    record Template(byte[] head, byte[] tail) {

        byte[] of(long id) {
            byte[] digits = Long.toString(id).getBytes(StandardCharsets.US_ASCII);
            byte[] json = Arrays.copyOf(head, head.length + digits.length + tail.length);
            System.arraycopy(digits, 0, json, head.length, digits.length);
            System.arraycopy(tail, 0, json, head.length + digits.length, tail.length);
            return json;
        }
    }

    public ScheduleSnapshot snapshot() {
        return ScheduleSnapshot.of(
                id,
                "alice",
                revision,
                cron,
                zone,
                items,
                start,
                end,
                active,
                catchUp,
                Overlap.ALLOW,
                jitterSeconds,
                Instant.EPOCH,
                accepted);
    }
}
