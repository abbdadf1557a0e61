package dev.recur.scheduleapi.console;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.cronutils.descriptor.CronDescriptor;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

/** A cron expression in English words, from cron-utils' descriptor (the dialect's parser is cron-utils' UNIX one). */
public final class CronWords {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronDescriptor DESCRIPTOR = CronDescriptor.instance(Locale.UK);

    /** A list page describes up to 20 expressions; most users have few distinct ones. */
    private static final int CACHE_SIZE = 4096;
    private static final Map<String, Optional<String>> CACHE = new ConcurrentHashMap<>();

    private CronWords() {
    }

    /** The words, or empty for an expression the descriptor cannot read (the API's validation says why). */
    public static Optional<String> describe(String cron) {
        if (cron == null || cron.isBlank()) {
            return Optional.empty();
        }
        Optional<String> known = CACHE.get(cron);
        if (known != null) {
            return known;
        }
        Optional<String> words = words(cron);
        if (CACHE.size() >= CACHE_SIZE) {
            CACHE.clear();
        }
        CACHE.put(cron, words);
        return words;
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
