package dev.recur.scheduleapi.rest;

import dev.recur.scheduleapi.service.ApiException;

/** Reads ids and paging parameters from request paths and queries, rejecting malformed ones with a 400. */
final class PathIds {

    private PathIds() {}

    /** A positive 64-bit id; anything else (text, negative, zero, overflow) is a 400 naming {@code field}. */
    static long id(String text, String field) {
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below with the same message as a non-positive id
        }
        throw ApiException.invalid(field, "must be a positive 64-bit integer");
    }

    static int limit(String text, int fallback, int max) {
        return limit("limit", text, fallback, max);
    }

    static int limit(String field, String text, int fallback, int max) {
        if (text == null) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid(field, "must be an integer from 1 to " + max);
    }

    static int page(String text) {
        if (text == null) {
            return 1;
        }
        try {
            int page = Integer.parseInt(text);
            if (page >= 1) {
                return page;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("page", "must be an integer from 1");
    }

    /** The first row of page {@code page} (from 1) of {@code limit} rows; a long: it can pass 2^31. */
    static long offset(int page, int limit) {
        return (long) (page - 1) * limit;
    }

    static long after(String text) {
        return text == null ? 0 : id(text, "after");
    }

    static Boolean active(String text) {
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ApiException.invalid("active", "must be true or false");
        };
    }
}
