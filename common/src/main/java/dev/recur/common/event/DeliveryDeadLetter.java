package dev.recur.common.event;

import static com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A delivery that exhausted its retries, on {@link Topics#DELIVERY_DLQ}, so that nothing is dropped silently.
 *
 * @param target the callback URL or the storage URL the delivery went to
 * @param lastStatusCode the HTTP status of the last attempt; null if it got no answer
 * @param reason why the last attempt failed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryDeadLetter(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("job_id") long jobId,
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("run_id") long runId,
        @JsonProperty("owner") String owner,
        @JsonProperty("kind") DeliveryKind kind,
        @JsonProperty("target") String target,
        @JsonProperty("attempts") int attempts,

        @JsonProperty("first_attempt_at") @JsonFormat(shape = STRING)
        Instant firstAttemptAt,

        @JsonProperty("last_attempt_at") @JsonFormat(shape = STRING)
        Instant lastAttemptAt,

        @JsonProperty("last_status_code") Integer lastStatusCode,
        @JsonProperty("reason") String reason) {

    public static final String TYPE = "delivery_dead_letter";
    public static final int VERSION = 1;

    public static DeliveryDeadLetter of(
            long jobId,
            long scheduleId,
            long runId,
            String owner,
            DeliveryKind kind,
            String target,
            int attempts,
            Instant firstAttemptAt,
            Instant lastAttemptAt,
            Integer lastStatusCode,
            String reason) {
        return new DeliveryDeadLetter(
                TYPE,
                VERSION,
                jobId,
                scheduleId,
                runId,
                owner,
                kind,
                target,
                attempts,
                firstAttemptAt,
                lastAttemptAt,
                lastStatusCode,
                reason);
    }
}
