package dev.recur.common.event;

import static com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A finished job as the history keeps it, on {@link Topics#JOB_HISTORY}, keyed by the job id: what
 * the runs, jobs and queries endpoints show, without the result pages themselves.
 *
 * @param error why the job faulted; null when it is done
 * @param resultCreatedAt when the job reached its final status
 * @param resultsRef where delivery stored the result pages in the results store; null if it stored none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("job_id") long jobId,
        @JsonProperty("run_id") long runId,
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("owner") String owner,

        @JsonProperty("scheduled_for") @JsonFormat(shape = STRING)
        Instant scheduledFor,

        @JsonProperty("item_index") int itemIndex,
        @JsonProperty("item") ObjectNode item,
        @JsonProperty("create_status_code") int createStatusCode,
        @JsonProperty("result_status") JobStatus resultStatus,
        @JsonProperty("error") String error,

        @JsonProperty("created_at") @JsonFormat(shape = STRING)
        Instant createdAt,

        @JsonProperty("result_created_at") @JsonFormat(shape = STRING)
        Instant resultCreatedAt,

        @JsonProperty("results_ref") ResultsRef resultsRef) {

    public static final String TYPE = "job_record";
    public static final int VERSION = 1;

    public static JobRecord of(
            long jobId,
            long runId,
            long scheduleId,
            String owner,
            Instant scheduledFor,
            int itemIndex,
            ObjectNode item,
            int createStatusCode,
            JobStatus resultStatus,
            String error,
            Instant createdAt,
            Instant resultCreatedAt,
            ResultsRef resultsRef) {
        return new JobRecord(
                TYPE,
                VERSION,
                jobId,
                runId,
                scheduleId,
                owner,
                scheduledFor,
                itemIndex,
                item,
                createStatusCode,
                resultStatus,
                error,
                createdAt,
                resultCreatedAt,
                resultsRef);
    }
}
