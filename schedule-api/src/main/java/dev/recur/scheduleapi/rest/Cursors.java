package dev.recur.scheduleapi.rest;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;

import dev.recur.scheduleapi.repository.JobHistoryRepository.Position;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.Slice;

/**
 * The list endpoints' one pagination style: {@code limit} and {@code cursor} in, {@code next_cursor} out. A cursor
 * is opaque to clients; it names the place in the list's order after which the next page starts: an id for lists
 * in id order, {@code <epoch microseconds>.<id>} for lists in time order, an item index for a run's jobs.
 */
final class Cursors {

    private Cursors() {}

    static String ofId(long id) {
        return Long.toString(id);
    }

    static String of(Instant at, long id) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, at) + "." + id;
    }

    static String ofIndex(int itemIndex) {
        return Integer.toString(itemIndex);
    }

    static long id(String cursor) {
        try {
            long id = Long.parseLong(cursor);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid();
    }

    static Position position(String cursor) {
        int dot = cursor.indexOf('.');
        try {
            if (dot > 0) {
                long micros = Long.parseLong(cursor.substring(0, dot));
                long id = Long.parseLong(cursor.substring(dot + 1));
                if (id > 0) {
                    return new Position(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id);
                }
            }
        } catch (NumberFormatException | ArithmeticException | DateTimeException e) {
            // reported below
        }
        throw invalid();
    }

    static int index(String cursor) {
        try {
            int index = Integer.parseInt(cursor);
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid();
    }

    /** Where a list in id order starts: after {@code cursor}, or else after the id {@code after} (0: the first). */
    static long afterId(String cursor, String after) {
        return cursor == null ? PathIds.after(after) : id(alone(cursor, after, "after"));
    }

    /** The cursor of the page after {@code page}, from its last row; null when no row follows it. */
    static <T> String next(Slice<T> page, Function<T, String> cursorOf) {
        return page.more() ? cursorOf.apply(page.rows().get(page.rows().size() - 1)) : null;
    }

    /** Where a page of a list in time order starts: after a cursor's position, or at the first row of page n. */
    record TimePage(Position after, long offset, int limit) {}

    /** The page that {@code cursor}, or else {@code page} (from 1), and {@code limit} ask for. */
    static TimePage timePage(String cursor, String page, String limit, int fallbackLimit, int maxLimit) {
        Position after = cursor == null ? null : position(alone(cursor, page, "page"));
        int number = PathIds.page(page);
        int size = PathIds.limit(limit, fallbackLimit, maxLimit);
        return new TimePage(after, PathIds.offset(number, size), size);
    }

    /** {@code cursor}, unless the request also gives {@code other}, the endpoint's older way to page: a 400 then. */
    static String alone(String cursor, String other, String otherName) {
        if (other != null) {
            throw ApiException.invalid("cursor", "cannot be combined with " + otherName);
        }
        return cursor;
    }

    private static ApiException invalid() {
        return ApiException.invalid("cursor", "must be a next_cursor this API returned");
    }
}
