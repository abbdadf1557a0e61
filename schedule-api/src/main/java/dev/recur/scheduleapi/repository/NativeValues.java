package dev.recur.scheduleapi.repository;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Columns of Hibernate native-query rows ({@code Object[]}) as Java values. */
public final class NativeValues {

    private NativeValues() {}

    /**
     * A {@code timestamptz} column: the driver and Hibernate version decide whether it arrives as a {@link Timestamp},
     * an {@link OffsetDateTime} or an {@link Instant}; SQL NULL is null.
     */
    public static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + value.getClass());
    }
}
