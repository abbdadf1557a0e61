package dev.recur.ticker.streams;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import dev.recur.common.event.DueRun;

/**
 * Writes the JSON of a one-slice {@link DueRun} from a stored schedule's pre-serialized items: the same document
 * {@code EventJson.write} makes of the record (a test holds them equal byte for byte), at a fraction of the cost,
 * since the items, almost all of a due-run, are copied rather than serialized again for every run.
 */
final class DueRunJson {

    private DueRunJson() {
    }

    /** The instants as {@link Instant#toString()} writes them, which is how the event mapper writes them too. */
    static byte[] write(long runId, long scheduleId, String owner, String scheduledFor, String notBefore,
            boolean late, int totalItems, byte[] itemsJson, String publishedAt) {
        StringBuilder head = new StringBuilder(256).append("{\"type\":\"").append(DueRun.TYPE)
                .append("\",\"version\":").append(DueRun.VERSION)
                .append(",\"run_id\":").append(runId)
                .append(",\"schedule_id\":").append(scheduleId)
                .append(",\"owner\":");
        if (owner == null) {
            head.append("null");
        } else {
            head.append('"').append(JsonStringEncoder.getInstance().quoteAsString(owner)).append('"');
        }
        head.append(",\"scheduled_for\":\"").append(scheduledFor)
                .append("\",\"not_before\":\"").append(notBefore)
                .append("\",\"late\":").append(late)
                .append(",\"slice_index\":0,\"slice_count\":1,\"item_offset\":0,\"total_items\":").append(totalItems)
                .append(",\"items\":");
        byte[] tail = (",\"published_at\":\"" + publishedAt + "\"}").getBytes(StandardCharsets.US_ASCII);
        byte[] start = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] json = new byte[start.length + itemsJson.length + tail.length];
        System.arraycopy(start, 0, json, 0, start.length);
        System.arraycopy(itemsJson, 0, json, start.length, itemsJson.length);
        System.arraycopy(tail, 0, json, start.length + itemsJson.length, tail.length);
        return json;
    }
}
