package dev.recur.common.time;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/** The REST API's time format: UTC, {@code YYYY-MM-DD HH:MM:SS}, as the Oxylabs Scheduler API writes it. */
public final class ApiTime {

    public static final String PATTERN = "uuuu-MM-dd HH:mm:ss";

    // STRICT so that 2032-02-30 is an error instead of silently becoming 2032-02-29
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern(PATTERN, Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);

    private ApiTime() {}

    /**
     * Reads a UTC time such as {@code 2032-12-01 16:00:00}.
     *
     * @throws InvalidTimeException if the text is null, not exactly in that format, or not a real date
     */
    public static Instant parse(String text) {
        if (text == null) {
            throw new InvalidTimeException("time must not be null; expected YYYY-MM-DD HH:MM:SS (UTC)", null);
        }
        try {
            return LocalDateTime.parse(text, FORMAT).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new InvalidTimeException(
                    "'" + text + "' is not a valid time; expected YYYY-MM-DD HH:MM:SS (UTC), "
                            + "e.g. 2032-12-01 16:00:00",
                    e);
        }
    }

    /** Writes {@code instant} in UTC, dropping fractions of a second. */
    public static String format(Instant instant) {
        return FORMAT.format(LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC));
    }
}
