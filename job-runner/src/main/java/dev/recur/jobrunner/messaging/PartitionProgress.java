package dev.recur.jobrunner.messaging;

import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.recur.jobrunner.service.SliceWork;

/**
 * Which records of one due-runs partition this consumer has taken and which of them are published.
 * Slices finish out of order (a 5,000-item slice and a 1-item one behind it), but a committed offset
 * can only say "everything before me is done". So the commit carries, in its metadata, the offsets
 * past it that are already published; after a crash or rebalance the next owner skips those.
 */
final class PartitionProgress {

    private static final String PREFIX = "done:";

    private final TreeMap<Long, SliceWork> open = new TreeMap<>();
    private final TreeSet<Long> doneAhead = new TreeSet<>();
    private long next;

    PartitionProgress(long committed, String metadata) {
        this.next = committed;
        if (metadata != null && metadata.startsWith(PREFIX) && metadata.length() > PREFIX.length()) {
            for (String delta : metadata.substring(PREFIX.length()).split(",")) {
                doneAhead.add(committed + Long.parseLong(delta, Character.MAX_RADIX));
            }
        }
    }

    /** True if the record at {@code offset} was published before this consumer got the partition. */
    boolean alreadyDone(long offset) {
        return doneAhead.contains(offset);
    }

    void polled(long offset) {
        next = Math.max(next, offset + 1);
    }

    void opened(SliceWork slice) {
        open.put(slice.offset(), slice);
    }

    /** The slice's results are in the transaction being built. */
    void published(long offset) {
        open.remove(offset);
        doneAhead.add(offset);
    }

    /** Records taken and not yet committed: open slices and those published ahead of an open one. */
    int tracked() {
        return open.size() + doneAhead.headSet(next, false).size();
    }

    boolean hasOpenSlices() {
        return !open.isEmpty();
    }

    Iterable<SliceWork> openSlices() {
        return open.values();
    }

    /** The offset to commit: the first record not yet published. */
    long position() {
        return open.isEmpty() ? next : open.firstKey();
    }

    /** The offsets past {@link #position()} that are published, as the commit's metadata. */
    String metadata() {
        long position = position();
        NavigableSet<Long> ahead = doneAhead.tailSet(position, false);
        doneAhead.headSet(position, true).clear();
        if (ahead.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(PREFIX);
        for (long offset : ahead) {
            if (text.length() > PREFIX.length()) {
                text.append(',');
            }
            text.append(Long.toString(offset - position, Character.MAX_RADIX));
        }
        return text.toString();
    }
}
