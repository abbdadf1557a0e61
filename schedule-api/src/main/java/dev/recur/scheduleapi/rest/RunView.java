package dev.recur.scheduleapi.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One run of a schedule with its first jobs in item order; {@code job_count} and {@code jobs_next_cursor} (Recur's
 * additions) say how many it has and where the rest are ({@code GET /v1/schedules/{id}/runs/{run_id}/jobs}).
 */
public record RunView(
        @JsonProperty("run_id") long runId,
        @JsonProperty("run_id_str") String runIdStr,
        @JsonProperty("scheduled_for") String scheduledFor,

        @Schema(description = "done jobs / all jobs of the run") @JsonProperty("success_rate")
        double successRate,

        @Schema(description = "in item order, at most jobs_limit of them") @JsonProperty("jobs")
        List<JobView> jobs,

        @Schema(description = "(ext) the run's jobs in all") @JsonProperty("job_count")
        long jobCount,

        @Schema(
                description =
                        "(ext) the cursor of the run's further jobs for GET /v1/schedules/{id}/runs/{run_id}/jobs; "
                                + "absent when jobs holds them all")
        @JsonProperty("jobs_next_cursor")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        String jobsNextCursor) {}
