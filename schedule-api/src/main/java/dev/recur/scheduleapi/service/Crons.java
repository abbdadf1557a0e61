package dev.recur.scheduleapi.service;

import com.github.benmanes.caffeine.cache.Cache;
import dev.recur.common.cache.Caches;
import dev.recur.common.cron.CronExpression;

/**
 * Parsed cron expressions by their text. Parsing validates every field with cron-utils and cost more than
 * the rest of a {@code GET /v1/schedules/{id}}, which needs the expression for {@code next_run_at}; the
 * expressions in use are few, and a parsed one is immutable.
 */
final class Crons {

    private static final Cache<String, CronExpression> PARSED = Caches.bounded(10_000);

    private Crons() {}

    /** As {@link CronExpression#parse}, which throws for invalid text; only valid expressions are kept. */
    static CronExpression parse(String text) {
        return PARSED.get(text, CronExpression::parse);
    }
}
