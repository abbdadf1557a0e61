package dev.recur.ticker.state;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The next fire minute of each planned schedule of one task, ordered by (minute, schedule id): the order in which
 * a tick fires them and in which the progress moves. Derived from the changelogged stores whenever the task starts,
 * so it needs no store of its own; a plain sorted map spares every fired run the metered store layers, the
 * byte-wise key comparisons and the copy of all due keys that an in-memory Streams store makes on each range scan
 * (docs/history/performance-ticker.md); the ids of a minute are a {@link SortedLongSet}, not boxed ones in a tree.
 * Used by the stream thread that owns the task only; {@link #size()} may be read by the metrics thread.
 */
public final class Timeline {

    private final TreeMap<Long, SortedLongSet> byMinute = new TreeMap<>();
    private volatile int size;

    public void put(long epochMinute, long scheduleId) {
        if (byMinute.computeIfAbsent(epochMinute, m -> new SortedLongSet()).add(scheduleId)) {
            size++;
        }
    }

    public void remove(long epochMinute, long scheduleId) {
        SortedLongSet ids = byMinute.get(epochMinute);
        if (ids != null && ids.remove(scheduleId)) {
            size--;
            if (ids.isEmpty()) {
                byMinute.remove(epochMinute);
            }
        }
    }

    public void clear() {
        byMinute.clear();
        size = 0;
    }

    public int size() {
        return size;
    }

    /** Entries due by {@code nowMinute}, first ones first, at most {@code max}; taken out of the timeline. */
    public Due takeDue(long nowMinute, int max) {
        Due due = new Due(Math.min(max, size));
        Iterator<Map.Entry<Long, SortedLongSet>> minutes =
                byMinute.headMap(nowMinute, true).entrySet().iterator();
        while (due.count < max && minutes.hasNext()) {
            Map.Entry<Long, SortedLongSet> minute = minutes.next();
            SortedLongSet ids = minute.getValue();
            while (due.count < max && !ids.isEmpty()) {
                due.add(minute.getKey(), ids.pollFirst());
            }
            if (ids.isEmpty()) {
                minutes.remove();
            }
        }
        // once, not per entry: size is volatile
        size -= due.count;
        return due;
    }

    /** Every entry in order, as {@code {minute, schedule id}} pairs (tests). */
    public Iterable<long[]> entries() {
        List<long[]> entries = new ArrayList<>();
        byMinute.forEach((minute, ids) -> ids.forEach(id -> entries.add(new long[] {minute, id})));
        return entries;
    }

    /** The entries a tick took, in timeline order. */
    public static final class Due {

        public final long[] minutes;
        public final long[] scheduleIds;
        public int count;

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
