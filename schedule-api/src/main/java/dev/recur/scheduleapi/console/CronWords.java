package dev.recur.scheduleapi.console;

import java.util.Locale;
import java.util.Optional;

import com.cronutils.descriptor.CronDescriptor;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import com.github.benmanes.caffeine.cache.Cache;
import dev.recur.common.cache.Caches;

/** A cron expression in English words, from cron-utils' descriptor (the dialect's parser is cron-utils' UNIX one). */
public final class CronWords {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronDescriptor DESCRIPTOR = CronDescriptor.instance(Locale.UK);

    /** A list page describes up to 20 expressions; most users have few distinct ones. */
    private static final Cache<String, Optional<String>> CACHE = Caches.bounded(4096);

    private CronWords() {}

    /** The words, or empty for an expression the descriptor cannot read (the API's validation says why). */
    public static Optional<String> describe(String cron) {
        if (cron == null || cron.isBlank()) {
            return Optional.empty();
        }
        return CACHE.get(cron, CronWords::words);
    }

    private static Optional<String> words(String cron) {
        try {
            String words = DESCRIPTOR.describe(PARSER.parse(cron.trim()));
            if (words == null || words.isBlank()) {
                return Optional.empty();
            }
            String trimmed = words.trim();
            return Optional.of(Character.toUpperCase(trimmed.charAt(0)) + trimmed.substring(1));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
