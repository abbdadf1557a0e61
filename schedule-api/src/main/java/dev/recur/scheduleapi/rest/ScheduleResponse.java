package dev.recur.scheduleapi.rest;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.domain.Schedule;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A schedule as the API shows it; {@code stats} only on {@code GET /v1/schedules/{id}}, as the JSON the read model
 * stored (written as it is, not parsed into a tree and written again on every read).
 */
public record ScheduleResponse(
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("schedule_id_str") String scheduleIdStr,
        @JsonProperty("active") boolean active,
        @JsonProperty("items_count") int itemsCount,
        @JsonProperty("cron") String cron,
        @JsonProperty("timezone") String timezone,
        @JsonProperty("end_time") String endTime,

        @Schema(description = "null once the schedule is inactive or past end_time") @JsonProperty("next_run_at")
        String nextRunAt,

        @JsonProperty("created_at") String createdAt,

        @Schema(implementation = Responses.Stats.class, description = "only in GET /v1/schedules/{id}")
        @JsonProperty("stats")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        @JsonRawValue
        String stats) {

    static ScheduleResponse of(Schedule s, Instant nextRunAt, String stats) {
        return new ScheduleResponse(
                s.id,
                Long.toString(s.id),
                s.active,
                s.itemsCount,
                s.cron,
                s.timezone,
                ApiTime.format(s.endTime),
                nextRunAt == null ? null : ApiTime.format(nextRunAt),
                ApiTime.format(s.createdAt),
                stats);
    }
}
