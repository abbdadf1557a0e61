package dev.recur.ticker.codecs;

import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.json.EventJson;

/**
 * Reads schedule snapshots as the event mapper does, except that instants written as {@link Instant#toString()}
 * writes them ({@code 2026-11-28T12:01:00Z}, maybe with a fraction) are parsed by hand: the mapper's
 * {@code DateTimeFormatter} took a third of the CPU of taking in a snapshot. Anything else goes to the mapper's own
 * deserializer, so the result is the same for every input (a test holds them equal).
 */
public final class SnapshotJson {

    private static final ObjectReader READER = EventJson.mapper()
            .copy()
            .registerModule(new SimpleModule("recur-ticker-instants")
                    .addDeserializer(Instant.class, new FastInstantDeserializer()))
            .readerFor(ScheduleSnapshot.class);

    private SnapshotJson() {}

    public static ScheduleSnapshot read(byte[] json) throws IOException {
        return READER.readValue(json);
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, or null if the text has another form. */
    static Instant parseSimple(String text) {
        int length = text.length();
        if (length < 20
                || text.charAt(length - 1) != 'Z'
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int nanos = 0;
        if (length > 20) {
            int fraction = length - 21;
            if (text.charAt(19) != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            nanos = digits(text, 20, fraction);
            if (nanos < 0) {
                return null;
            }
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        // a leap second (60) and all else the formatter accepts are left to it
        if (year < 0
                || month < 0
                || day < 0
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return null;
        }
        try {
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The value of {@code count} decimal digits at {@code from}, or -1 if one is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static final class FastInstantDeserializer extends StdDeserializer<Instant> {

        private static final long serialVersionUID = 1L;

        FastInstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_STRING) {
                Instant simple = parseSimple(parser.getText().trim());
                if (simple != null) {
                    return simple;
                }
            }
            return InstantDeserializer.INSTANT.deserialize(parser, context);
        }
    }
}
