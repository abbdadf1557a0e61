package dev.recur.common.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * The services' in-memory caches, on Caffeine: bounded by entry count, the entries least likely to be used again
 * dropped first. Maintenance (evicting) runs on the calling thread, not on a pool of Caffeine's, so a cache costs no
 * thread and a test sees its bound at once.
 */
public final class Caches {

    private Caches() {}

    /** A cache of at most {@code maxEntries} entries. */
    public static <K, V> Cache<K, V> bounded(long maxEntries) {
        return Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .executor(Runnable::run)
                .build();
    }
}
