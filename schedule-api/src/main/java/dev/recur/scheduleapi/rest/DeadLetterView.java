package dev.recur.scheduleapi.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.service.DeadLetterService;
import dev.recur.scheduleapi.service.DeadLetterService.DeadLetter;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * (ext) A dead letter as {@code /v1/dead-letters} shows it: {@code last_status_code} always (null without an HTTP
 * answer), the replay's fields only while a replay is requested.
 */
@Schema(name = "DeadLetter")
public record DeadLetterView(
        @JsonProperty("id") long id,
        @JsonProperty("job_id") long jobId,
        @JsonProperty("job_id_str") String jobIdStr,
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("schedule_id_str") String scheduleIdStr,
        @JsonProperty("run_id") long runId,
        @JsonProperty("run_id_str") String runIdStr,
        @JsonProperty("owner") String owner,

        @Schema(enumeration = {"callback", "s3", "gcs"}) @JsonProperty("kind")
        String kind,

        @Schema(description = "the callback URL or the object's place, without userinfo and query")
        @JsonProperty("target")
        String target,

        @JsonProperty("attempts") int attempts,
        @JsonProperty("first_attempt_at") String firstAttemptAt,
        @JsonProperty("last_attempt_at") String lastAttemptAt,

        @Schema(nullable = true, description = "always present; null without an HTTP answer")
        @JsonProperty("last_status_code")
        Integer lastStatusCode,

        @JsonProperty("reason") String reason,

        @Schema(enumeration = {"dead", "replay_requested"}) @JsonProperty("state")
        String state,

        @Schema(description = "only while a replay is requested")
        @JsonProperty("replay_id")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        String replayId,

        @Schema(description = "only while a replay is requested")
        @JsonProperty("replay_requested_at")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        String replayRequestedAt,

        @Schema(description = "only while a replay is requested")
        @JsonProperty("replay_requested_by")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        String replayRequestedBy) {

    static DeadLetterView of(DeadLetter d) {
        boolean replay = d.replayId() != null;
        return new DeadLetterView(
                d.id(),
                d.jobId(),
                Long.toString(d.jobId()),
                d.scheduleId(),
                Long.toString(d.scheduleId()),
                d.runId(),
                Long.toString(d.runId()),
                d.owner(),
                DeadLetterService.kindName(d.kind()),
                d.target(),
                d.attempts(),
                ApiTime.format(d.firstAttemptAt()),
                ApiTime.format(d.lastAttemptAt()),
                d.lastStatusCode(),
                d.reason(),
                d.state(),
                d.replayId(),
                replay ? ApiTime.format(d.replayRequestedAt()) : null,
                replay ? d.replayRequestedBy() : null);
    }
}
