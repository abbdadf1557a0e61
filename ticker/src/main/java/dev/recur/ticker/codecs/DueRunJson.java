package dev.recur.ticker.codecs;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.recur.common.event.DueRun;

/**
 * Writes the JSON of a one-slice {@link DueRun} from a stored schedule's pre-serialized items: the same document
 * {@code EventJson.write} makes of the record (a test holds them equal byte for byte), at a fraction of the cost,
 * since the items, almost all of a due-run, are copied rather than serialized again for every run, and the rest is
 * written straight into the one array that becomes the record's value.
 */
public final class DueRunJson {

    private static final byte[] TYPE_TO_RUN_ID =
            ascii("{\"type\":\"" + DueRun.TYPE + "\",\"version\":" + DueRun.VERSION + ",\"run_id\":");
    private static final byte[] SCHEDULE_ID = ascii(",\"schedule_id\":");
    private static final byte[] OWNER = ascii(",\"owner\":");
    private static final byte[] SCHEDULED_FOR = ascii(",\"scheduled_for\":\"");
    private static final byte[] NOT_BEFORE = ascii("\",\"not_before\":\"");
    private static final byte[] LATE = ascii("\",\"late\":");
    private static final byte[] ONE_SLICE =
            ascii(",\"slice_index\":0,\"slice_count\":1,\"item_offset\":0," + "\"total_items\":");
    private static final byte[] ITEMS = ascii(",\"items\":");
    private static final byte[] PUBLISHED_AT = ascii(",\"published_at\":\"");
    private static final byte[] END = ascii("\"}");
    private static final byte[] SKIPPED_RUNS = ascii("\",\"skipped_runs\":");
    private static final byte[] NULL = ascii("null");
    private static final int FIXED = TYPE_TO_RUN_ID.length
            + SCHEDULE_ID.length
            + OWNER.length
            + SCHEDULED_FOR.length
            + NOT_BEFORE.length
            + LATE.length
            + ONE_SLICE.length
            + ITEMS.length
            + PUBLISHED_AT.length
            + END.length;

    private DueRunJson() {}

    /** The instants as {@link java.time.Instant#toString()} writes them, which is how the event mapper writes them. */
    public static byte[] write(
            long runId,
            long scheduleId,
            String owner,
            String scheduledFor,
            String notBefore,
            boolean late,
            int totalItems,
            byte[] itemsJson,
            String publishedAt,
            int skippedRuns) {
        byte[] ownerJson = ownerJson(owner);
        String lateText = Boolean.toString(late);
        byte[] json = new byte
                [FIXED
                        + digits(runId)
                        + digits(scheduleId)
                        + ownerJson.length
                        + scheduledFor.length()
                        + notBefore.length()
                        + lateText.length()
                        + digits(totalItems)
                        + itemsJson.length
                        + publishedAt.length()
                        + (skippedRuns == 0 ? 0 : SKIPPED_RUNS.length - 1 + digits(skippedRuns))];
        int at = put(json, 0, TYPE_TO_RUN_ID);
        at = putNumber(json, at, runId);
        at = put(json, at, SCHEDULE_ID);
        at = putNumber(json, at, scheduleId);
        at = put(json, at, OWNER);
        at = put(json, at, ownerJson);
        at = put(json, at, SCHEDULED_FOR);
        at = putAscii(json, at, scheduledFor);
        at = put(json, at, NOT_BEFORE);
        at = putAscii(json, at, notBefore);
        at = put(json, at, LATE);
        at = putAscii(json, at, lateText);
        at = put(json, at, ONE_SLICE);
        at = putNumber(json, at, totalItems);
        at = put(json, at, ITEMS);
        at = put(json, at, itemsJson);
        at = put(json, at, PUBLISHED_AT);
        at = putAscii(json, at, publishedAt);
        if (skippedRuns != 0) {
            // absent when 0, as the record's writer leaves it out
            at = put(json, at, SKIPPED_RUNS);
            at = putNumber(json, at, skippedRuns);
            json[at] = '}';
            return json;
        }
        put(json, at, END);
        return json;
    }

    private static byte[] ownerJson(String owner) {
        if (owner == null) {
            return NULL;
        }
        for (int i = 0; i < owner.length(); i++) {
            char c = owner.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                return ('"' + new String(JsonStringEncoder.getInstance().quoteAsString(owner)) + '"')
                        .getBytes(StandardCharsets.UTF_8);
            }
        }
        // printable ASCII without quote or backslash: JSON as it is, the usual case
        byte[] json = new byte[owner.length() + 2];
        json[0] = '"';
        putAscii(json, 1, owner);
        json[json.length - 1] = '"';
        return json;
    }

    private static int digits(long value) {
        if (value < 0) {
            // Long.MIN_VALUE has no positive counterpart; its 19 digits and the sign
            return value == Long.MIN_VALUE ? 20 : 1 + digits(-value);
        }
        // comparisons, not a division per digit: run ids are 19 digits, and this ran twice per run
        int count = 1;
        for (long bound = 10; count < 19 && value >= bound; bound *= 10) {
            count++;
        }
        return count;
    }

    private static int putNumber(byte[] json, int at, long value) {
        int end = at + digits(value);
        if (value == Long.MIN_VALUE) {
            return putAscii(json, at, Long.toString(value));
        }
        long rest = Math.abs(value);
        int i = end;
        // two digits per division
        while (rest >= 100) {
            long quotient = rest / 100;
            int pair = (int) (rest - quotient * 100);
            json[--i] = (byte) ('0' + pair % 10);
            json[--i] = (byte) ('0' + pair / 10);
            rest = quotient;
        }
        json[--i] = (byte) ('0' + rest % 10);
        if (rest >= 10) {
            json[--i] = (byte) ('0' + rest / 10);
        }
        if (value < 0) {
            json[--i] = '-';
        }
        return end;
    }

    private static int put(byte[] json, int at, byte[] part) {
        System.arraycopy(part, 0, json, at, part.length);
        return at + part.length;
    }

    private static int putAscii(byte[] json, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            json[at + i] = (byte) text.charAt(i);
        }
        return at + text.length();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
