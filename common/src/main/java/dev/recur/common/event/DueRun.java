package dev.recur.common.event;

import static com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One slice of one run of a schedule, on {@link Topics#DUE_RUNS}. A run with many items is split
 * into slices so that no message outgrows the broker's limit; {@code itemOffset} places this slice's
 * items in the schedule's item list, which is what job ids are derived from.
 *
 * @param notBefore {@code scheduledFor} plus the schedule's jitter: the runner starts no job earlier
 * @param late true if the ticker fired this run by catch-up, after its minute had passed
 * @param sliceIndex 0-based index of this slice among {@code sliceCount}
 * @param itemOffset index, in the schedule's items, of this slice's first item
 * @param totalItems number of items in the whole run
 * @param skippedRuns fire times of the schedule that were skipped, not run, since the previous run the ticker
 *     published for it (missed minutes its catch-up policy or window did not run); the same on every slice of the
 *     run, absent when 0
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DueRun(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("run_id") long runId,
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("owner") String owner,

        @JsonProperty("scheduled_for") @JsonFormat(shape = STRING)
        Instant scheduledFor,

        @JsonProperty("not_before") @JsonFormat(shape = STRING)
        Instant notBefore,

        @JsonProperty("late") boolean late,
        @JsonProperty("slice_index") int sliceIndex,
        @JsonProperty("slice_count") int sliceCount,
        @JsonProperty("item_offset") int itemOffset,
        @JsonProperty("total_items") int totalItems,
        @JsonProperty("items") List<ObjectNode> items,

        @JsonProperty("published_at") @JsonFormat(shape = STRING)
        Instant publishedAt,

        @JsonProperty("skipped_runs") @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        int skippedRuns) {

    public static final String TYPE = "due_run";
    public static final int VERSION = 1;

    public DueRun {
        items = items == null ? null : List.copyOf(items);
    }

    public static DueRun of(
            long runId,
            long scheduleId,
            String owner,
            Instant scheduledFor,
            Instant notBefore,
            boolean late,
            int sliceIndex,
            int sliceCount,
            int itemOffset,
            int totalItems,
            List<ObjectNode> items,
            Instant publishedAt) {
        return new DueRun(
                TYPE,
                VERSION,
                runId,
                scheduleId,
                owner,
                scheduledFor,
                notBefore,
                late,
                sliceIndex,
                sliceCount,
                itemOffset,
                totalItems,
                items,
                publishedAt,
                0);
    }

    /** This slice, carrying {@code count} skipped fire times. */
    public DueRun withSkippedRuns(int count) {
        return new DueRun(
                type,
                version,
                runId,
                scheduleId,
                owner,
                scheduledFor,
                notBefore,
                late,
                sliceIndex,
                sliceCount,
                itemOffset,
                totalItems,
                items,
                publishedAt,
                count);
    }
}
