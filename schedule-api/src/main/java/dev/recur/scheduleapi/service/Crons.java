package dev.recur.scheduleapi.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.recur.common.cron.CronExpression;

/**
 * Parsed cron expressions by their text. Parsing validates every field with cron-utils and cost more than
 * the rest of a {@code GET /v1/schedules/{id}}, which needs the expression for {@code next_run_at}; the
 * expressions in use are few, and a parsed one is immutable.
 */
final class Crons {

    // bounds the memory; the map is simply emptied when full
    private static final int MAX_CACHED = 10_000;
    private static final Map<String, CronExpression> PARSED = new ConcurrentHashMap<>();

    private Crons() {
    }

    /** As {@link CronExpression#parse}, which throws for invalid text; only valid expressions are kept. */
    static CronExpression parse(String text) {
        CronExpression cron = PARSED.get(text);
        if (cron == null) {
            cron = CronExpression.parse(text);
            if (PARSED.size() >= MAX_CACHED) {
                PARSED.clear();
            }
            PARSED.put(text, cron);
        }
        return cron;
    }
}
