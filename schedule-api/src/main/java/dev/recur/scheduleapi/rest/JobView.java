package dev.recur.scheduleapi.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A job in the runs and jobs listings; {@code run_id} only in the jobs listing, {@code create_status_code} only
 * once the job has one (not while it is pending).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
        @JsonProperty("id") long id,
        @JsonProperty("id_str") String idStr,
        @JsonProperty("run_id") Long runId,
        @JsonProperty("run_id_str") String runIdStr,
        @JsonProperty("create_status_code") Integer createStatusCode,
        @JsonProperty("result_status") String resultStatus,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("result_created_at") String resultCreatedAt) {}
