package dev.recur.ticker.streams;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The next fire minute of each planned schedule of one task, ordered by (minute, schedule id): the order in which
 * a tick fires them and in which the progress moves. Derived from the changelogged stores whenever the task starts,
 * so it needs no store of its own; a plain sorted map spares every fired run the metered store layers, the
 * byte-wise key comparisons and the copy of all due keys that an in-memory Streams store makes on each range scan
 * (docs/performance-ticker.md). Used by the stream thread that owns the task only; {@link #size()} may be read by
 * the metrics thread.
 */
final class Timeline {

    private final TreeMap<Long, TreeSet<Long>> byMinute = new TreeMap<>();
    private volatile int size;

    void put(long epochMinute, long scheduleId) {
        if (byMinute.computeIfAbsent(epochMinute, m -> new TreeSet<>()).add(scheduleId)) {
            size++;
        }
    }

    void remove(long epochMinute, long scheduleId) {
        TreeSet<Long> ids = byMinute.get(epochMinute);
        if (ids != null && ids.remove(scheduleId)) {
            size--;
            if (ids.isEmpty()) {
                byMinute.remove(epochMinute);
            }
        }
    }

    void clear() {
        byMinute.clear();
        size = 0;
    }

    int size() {
        return size;
    }

    /** Entries due by {@code nowMinute}, first ones first, at most {@code max}; taken out of the timeline. */
    Due takeDue(long nowMinute, int max) {
        Due due = new Due(Math.min(max, size));
        Iterator<Map.Entry<Long, TreeSet<Long>>> minutes = byMinute.headMap(nowMinute, true).entrySet().iterator();
        while (due.count < max && minutes.hasNext()) {
            Map.Entry<Long, TreeSet<Long>> minute = minutes.next();
            TreeSet<Long> ids = minute.getValue();
            while (due.count < max && !ids.isEmpty()) {
                due.add(minute.getKey(), ids.pollFirst());
                size--;
            }
            if (ids.isEmpty()) {
                minutes.remove();
            }
        }
        return due;
    }

    /** Every entry in order, as {@code {minute, schedule id}} pairs (tests). */
    Iterable<long[]> entries() {
        return () -> byMinute.entrySet().stream()
                .flatMap(m -> m.getValue().stream().map(id -> new long[] {m.getKey(), id})).iterator();
    }

    /** The entries a tick took, in timeline order. */
    static final class Due {

        final long[] minutes;
        final long[] scheduleIds;
        int count;

        private Due(int capacity) {
            minutes = new long[capacity];
            scheduleIds = new long[capacity];
        }

        private void add(long minute, long scheduleId) {
            minutes[count] = minute;
            scheduleIds[count] = scheduleId;
            count++;
        }
    }
}
