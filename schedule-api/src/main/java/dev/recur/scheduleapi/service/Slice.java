package dev.recur.scheduleapi.service;

import java.util.List;

/** A page of a listing, and whether rows follow it (the answer then carries a cursor to them). */
public record Slice<T>(List<T> rows, boolean more) {

    /** The first {@code limit} of {@code rows}, read with one row more than a page to learn whether any follow. */
    public static <T> Slice<T> of(List<T> rows, int limit) {
        return rows.size() > limit ? new Slice<>(rows.subList(0, limit), true) : new Slice<>(rows, false);
    }
}
