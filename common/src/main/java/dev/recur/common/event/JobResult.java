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
 * The outcome of one job, on {@link Topics#JOB_RESULTS}, keyed by the schedule id.
 *
 * <p>This is a PUBLIC contract: consumers outside Recur read it. Fields are only ever added within
 * a version; consumers must ignore fields they do not know. Ids are JSON numbers that exceed 2^53, so
 * a JavaScript consumer must read them as big integers. Times are ISO-8601 UTC strings.
 *
 * @param type always {@value #TYPE}
 * @param version version of this message format, {@value #VERSION}
 * @param jobId the job's id, derived from {@code runId} and {@code itemIndex}; stable across redeliveries
 * @param scheduleId the schedule the job belongs to
 * @param runId the run the job belongs to, derived from {@code scheduleId} and {@code scheduledFor}
 * @param owner the user who owns the schedule
 * @param scheduledFor the fire time of the run, on a whole minute
 * @param itemIndex 0-based index of {@code item} in the schedule's items
 * @param item the item as the user posted it: the payload sent to the scraper; a {@code callback_url} with userinfo, a
 *     query or a fragment is redacted to scheme, host, port and path ({@code https://host/hook?…})
 * @param createStatusCode the HTTP status the scraper's create (realtime) call answered with; 0 if it
 *     never answered
 * @param status {@code done} or {@code faulted}
 * @param error why the job faulted; absent when it is done
 * @param backend which scraper backend ran the job, e.g. {@code oxylabs} or {@code http_fetcher}
 * @param attempts how many calls to the scraper the job took; 0 when no backend serves the item's source
 * @param createdAt when the job was first sent to the scraper
 * @param updatedAt when the job reached its final status
 * @param results the result pages, inline when they are small (empty when the job faulted); absent when
 *     {@code resultsRef} is present
 * @param resultsRef where the result pages are stored when they are too large to be inline; absent
 *     when {@code results} is present
 * @param skippedRuns the {@code skipped_runs} of the job's due run: fire times of the schedule skipped, not run,
 *     since its previous run; the same on every job of the run, so a consumer counts it once per {@code runId};
 *     absent when 0
 * @param sealedCallbackUrl the item's whole {@code callback_url} when it was redacted in {@code item}, encrypted with
 *     the deployment's key ({@link dev.recur.common.seal.CallbackSeal}): opaque, only delivery opens it; absent when
 *     the URL had nothing to redact
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResult(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("job_id") long jobId,
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("run_id") long runId,
        @JsonProperty("owner") String owner,

        @JsonProperty("scheduled_for") @JsonFormat(shape = STRING)
        Instant scheduledFor,

        @JsonProperty("item_index") int itemIndex,
        @JsonProperty("item") ObjectNode item,
        @JsonProperty("create_status_code") int createStatusCode,
        @JsonProperty("status") JobStatus status,
        @JsonProperty("error") String error,
        @JsonProperty("backend") String backend,
        @JsonProperty("attempts") int attempts,

        @JsonProperty("created_at") @JsonFormat(shape = STRING)
        Instant createdAt,

        @JsonProperty("updated_at") @JsonFormat(shape = STRING)
        Instant updatedAt,

        @JsonProperty("results") List<ResultPage> results,
        @JsonProperty("results_ref") ResultsRef resultsRef,

        @JsonProperty("skipped_runs") @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        int skippedRuns,

        @JsonProperty("sealed_callback_url") String sealedCallbackUrl) {

    public static final String TYPE = "job_result";
    public static final int VERSION = 1;

    public JobResult {
        if ((results == null) == (resultsRef == null)) {
            throw new IllegalArgumentException("exactly one of results and results_ref must be present");
        }
        results = results == null ? null : List.copyOf(results);
    }

    public static JobResult of(
            long jobId,
            long scheduleId,
            long runId,
            String owner,
            Instant scheduledFor,
            int itemIndex,
            ObjectNode item,
            int createStatusCode,
            JobStatus status,
            String error,
            String backend,
            int attempts,
            Instant createdAt,
            Instant updatedAt,
            List<ResultPage> results,
            ResultsRef resultsRef) {
        return new JobResult(
                TYPE,
                VERSION,
                jobId,
                scheduleId,
                runId,
                owner,
                scheduledFor,
                itemIndex,
                item,
                createStatusCode,
                status,
                error,
                backend,
                attempts,
                createdAt,
                updatedAt,
                results,
                resultsRef,
                0,
                null);
    }

    /** This result, carrying its run's {@code count} of skipped fire times. */
    public JobResult withSkippedRuns(int count) {
        return with(item, count, sealedCallbackUrl);
    }

    /** This result with another {@code item} and {@code sealed_callback_url} (see {@code CallbackSeal}). */
    public JobResult withCallback(ObjectNode item, String sealedCallbackUrl) {
        return with(item, skippedRuns, sealedCallbackUrl);
    }

    /** This result with the parts the withers change; every other field, {@code type} and {@code version} kept. */
    private JobResult with(ObjectNode item, int skippedRuns, String sealedCallbackUrl) {
        return new JobResult(
                type,
                version,
                jobId,
                scheduleId,
                runId,
                owner,
                scheduledFor,
                itemIndex,
                item,
                createStatusCode,
                status,
                error,
                backend,
                attempts,
                createdAt,
                updatedAt,
                results,
                resultsRef,
                skippedRuns,
                sealedCallbackUrl);
    }
}
