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
 * The full state of a schedule after a change, on {@link Topics#SCHEDULES}. A deleted schedule is a
 * tombstone: the schedule id as key and a null value, so compaction forgets it.
 *
 * @param revision grows with every change of the schedule; a consumer drops a snapshot whose
 *     revision is not newer than the one it holds
 * @param timezone IANA zone in which {@code cron} is evaluated; "UTC" when absent
 * @param startTime no run before this time; null for no lower bound
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduleSnapshot(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("owner") String owner,
        @JsonProperty("revision") long revision,
        @JsonProperty("cron") String cron,
        @JsonProperty("timezone") String timezone,
        @JsonProperty("items") List<ObjectNode> items,

        @JsonProperty("start_time") @JsonFormat(shape = STRING)
        Instant startTime,

        @JsonProperty("end_time") @JsonFormat(shape = STRING)
        Instant endTime,

        @JsonProperty("active") boolean active,
        @JsonProperty("catch_up") CatchUp catchUp,
        @JsonProperty("overlap") Overlap overlap,
        @JsonProperty("jitter_seconds") int jitterSeconds,

        @JsonProperty("created_at") @JsonFormat(shape = STRING)
        Instant createdAt,

        @JsonProperty("updated_at") @JsonFormat(shape = STRING)
        Instant updatedAt) {

    public static final String TYPE = "schedule_snapshot";
    public static final int VERSION = 1;
    public static final String DEFAULT_TIMEZONE = "UTC";

    public ScheduleSnapshot {
        timezone = timezone == null ? DEFAULT_TIMEZONE : timezone;
        items = items == null ? null : List.copyOf(items);
    }

    public static ScheduleSnapshot of(
            long scheduleId,
            String owner,
            long revision,
            String cron,
            String timezone,
            List<ObjectNode> items,
            Instant startTime,
            Instant endTime,
            boolean active,
            CatchUp catchUp,
            Overlap overlap,
            int jitterSeconds,
            Instant createdAt,
            Instant updatedAt) {
        return new ScheduleSnapshot(
                TYPE,
                VERSION,
                scheduleId,
                owner,
                revision,
                cron,
                timezone,
                items,
                startTime,
                endTime,
                active,
                catchUp,
                overlap,
                jitterSeconds,
                createdAt,
                updatedAt);
    }
}
