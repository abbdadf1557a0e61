package dev.recur.ticker.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.LongConsumer;

/**
 * A sorted set of longs in blocks of sorted arrays, for the schedule ids of one timeline minute. A {@code TreeSet} of
 * a million boxed ids makes every fired run a new tree node and a new {@code Long} that lives until the next minute:
 * the young collections copy them all (a 254 ms pause in the middle of a measured 1M fan-out) and the tree's
 * rebalancing takes a tenth of a tick. Here an id costs 8 bytes in an array; the ticks take ids from the front and
 * put the next minute's at the back, both without moving the others.
 */
public final class SortedLongSet {

    private static final int BLOCK = 512;

    /** values[from, to) sorted ascending; never empty while in the list. */
    private static final class Block {

        final long[] values = new long[BLOCK];
        int from;
        int to;

        int size() {
            return to - from;
        }

        long first() {
            return values[from];
        }
    }

    private final List<Block> blocks = new ArrayList<>();
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds {@code value}; false if it was there already. */
    boolean add(long value) {
        if (blocks.isEmpty()) {
            Block block = new Block();
            block.values[0] = value;
            block.to = 1;
            blocks.add(block);
            size++;
            return true;
        }
        int index = blockFor(value);
        Block block = blocks.get(index);
        int at = Arrays.binarySearch(block.values, block.from, block.to, value);
        if (at >= 0) {
            return false;
        }
        at = -at - 1;
        if (block.size() == BLOCK) {
            if (at == block.to) {
                // beyond this full block and before the next one's first: a block of its own (ticks put ids in
                // ascending order, so the blocks fill up instead of splitting into halves)
                Block next = new Block();
                next.values[0] = value;
                next.to = 1;
                blocks.add(index + 1, next);
                size++;
                return true;
            }
            // split: the upper half goes to a new block after this one
            Block upper = new Block();
            int middle = block.from + BLOCK / 2;
            int moved = block.to - middle;
            System.arraycopy(block.values, middle, upper.values, 0, moved);
            upper.to = moved;
            block.to = middle;
            blocks.add(index + 1, upper);
            if (at > middle) {
                block = upper;
                at -= middle;
            }
        }
        insert(block, at, value);
        size++;
        return true;
    }

    private static void insert(Block block, int at, long value) {
        if (at == block.from && block.from > 0) {
            block.values[--block.from] = value;
            return;
        }
        if (block.to == BLOCK) {
            // no room at the back: move the live part to the front first
            int live = block.size();
            System.arraycopy(block.values, block.from, block.values, 0, live);
            at -= block.from;
            block.from = 0;
            block.to = live;
        }
        System.arraycopy(block.values, at, block.values, at + 1, block.to - at);
        block.values[at] = value;
        block.to++;
    }

    /** Removes {@code value}; false if it was not there. */
    boolean remove(long value) {
        if (blocks.isEmpty()) {
            return false;
        }
        int index = blockFor(value);
        Block block = blocks.get(index);
        int at = Arrays.binarySearch(block.values, block.from, block.to, value);
        if (at < 0) {
            return false;
        }
        if (at == block.from) {
            block.from++;
        } else {
            System.arraycopy(block.values, at + 1, block.values, at, block.to - at - 1);
            block.to--;
        }
        if (block.size() == 0) {
            blocks.remove(index);
        }
        size--;
        return true;
    }

    /** Takes out the smallest value. */
    long pollFirst() {
        if (blocks.isEmpty()) {
            throw new NoSuchElementException();
        }
        Block block = blocks.get(0);
        long first = block.values[block.from++];
        if (block.size() == 0) {
            blocks.remove(0);
        }
        size--;
        return first;
    }

    /** Every value in ascending order. */
    void forEach(LongConsumer action) {
        for (Block block : blocks) {
            for (int i = block.from; i < block.to; i++) {
                action.accept(block.values[i]);
            }
        }
    }

    /** The block that holds {@code value} or where it belongs: the last whose first value is at most it, else the first. */
    private int blockFor(long value) {
        int low = 0;
        int high = blocks.size() - 1;
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (blocks.get(middle).first() <= value) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        return low;
    }
}
