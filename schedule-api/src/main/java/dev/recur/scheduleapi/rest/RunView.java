package dev.recur.scheduleapi.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One run of a schedule with the jobs known of it. */
public record RunView(
        @JsonProperty("run_id") long runId,
        @JsonProperty("run_id_str") String runIdStr,
        @JsonProperty("scheduled_for") String scheduledFor,
        @JsonProperty("success_rate") double successRate,
        @JsonProperty("jobs") List<JobView> jobs) {
}
