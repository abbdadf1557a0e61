package dev.recur.ticker.topology;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.json.EventJson;

/** Splits a run's items into consecutive slices whose serialized items stay within a byte budget. */
final class DueRunSlicer {

    /** Items {@code [offset, offset + items.size())} of the run. */
    record Slice(int offset, List<ObjectNode> items) {}

    private final int budgetBytes;

    DueRunSlicer(int budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /**
     * The slices of a run, at least one. {@code itemsBytes} is the size of the items' JSON array: when it fits, the
     * run needs no measuring.
     */
    List<Slice> slice(List<ObjectNode> items, int itemsBytes) {
        List<ObjectNode> all = items == null ? List.of() : items;
        if (itemsBytes <= budgetBytes || all.size() <= 1) {
            return List.of(new Slice(0, all));
        }
        List<Slice> slices = new ArrayList<>();
        int start = 0;
        long size = 0;
        for (int i = 0; i < all.size(); i++) {
            // a comma between items; a single item larger than the budget still travels, alone
            int itemBytes = sizeOf(all.get(i)) + 1;
            if (i > start && size + itemBytes > budgetBytes) {
                slices.add(new Slice(start, all.subList(start, i)));
                start = i;
                size = 0;
            }
            size += itemBytes;
        }
        slices.add(new Slice(start, all.subList(start, all.size())));
        return slices;
    }

    private static int sizeOf(ObjectNode item) {
        try {
            return EventJson.mapper().writeValueAsBytes(item).length;
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot measure an item", e);
        }
    }
}
