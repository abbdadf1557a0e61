package dev.recur.scheduleapi.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The response bodies beside {@link ScheduleResponse}, {@link RunView}, {@link JobView}, {@link DeadLetterView} and
 * {@link AdminResource.UserView}. A list's {@code next_cursor}, passed back as {@code cursor}, gives its next page
 * (docs/API.md, Pagination); it is left out on the last page, whose answer is then the one Oxylabs clients know.
 */
public final class Responses {

    static final String NEXT_CURSOR = "(ext) the cursor of the next page; absent on the last one";

    private Responses() {}

    @Schema(name = "ScheduleList")
    public record ScheduleIds(
            @Schema(description = "the caller's schedule ids, in id order") @JsonProperty("schedules")
            List<Long> schedules,

            @Schema(description = NEXT_CURSOR) @JsonProperty("next_cursor") @JsonInclude(JsonInclude.Include.NON_NULL)
            String nextCursor) {}

    @Schema(name = "RunList")
    public record Runs(
            @Schema(description = "newest first") @JsonProperty("runs")
            List<RunView> runs,

            @Schema(description = NEXT_CURSOR) @JsonProperty("next_cursor") @JsonInclude(JsonInclude.Include.NON_NULL)
            String nextCursor) {}

    @Schema(name = "JobList")
    public record Jobs(
            @JsonProperty("jobs") List<JobView> jobs,

            @Schema(description = NEXT_CURSOR) @JsonProperty("next_cursor") @JsonInclude(JsonInclude.Include.NON_NULL)
            String nextCursor) {}

    @Schema(name = "UserList")
    public record Users(
            @Schema(description = "in id order") @JsonProperty("users")
            List<AdminResource.UserView> users,

            @Schema(description = NEXT_CURSOR) @JsonProperty("next_cursor") @JsonInclude(JsonInclude.Include.NON_NULL)
            String nextCursor) {}

    @Schema(name = "DeadLetterList")
    public record DeadLetters(
            @Schema(description = "newest last attempt first") @JsonProperty("dead_letters")
            List<DeadLetterView> deadLetters,

            @Schema(description = "the number of all the caller's dead letters, on every page") @JsonProperty("total")
            long total,

            @Schema(description = NEXT_CURSOR) @JsonProperty("next_cursor") @JsonInclude(JsonInclude.Include.NON_NULL)
            String nextCursor) {}

    @Schema(name = "NextRuns")
    public record NextRuns(
            @Schema(description = "fire times, UTC, YYYY-MM-DD HH:MM:SS") @JsonProperty("next_runs")
            List<String> nextRuns) {}

    /** The secret's value only in the answer that created it; the previous secret only while it still signs. */
    @Schema(name = "SigningSecret")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SigningSecret(
            @JsonProperty("secret_id") String secretId,

            @Schema(description = "only in the answer of POST, never again") @JsonProperty("secret")
            String secret,

            @JsonProperty("created_at") String createdAt,
            @JsonProperty("previous_secret_id") String previousSecretId,
            @JsonProperty("previous_valid_until") String previousValidUntil) {}

    // Schemas only: these bodies are written from stored JSON (stats, results) or built as trees (the job object,
    // common's JobObject, which callbacks carry too).

    @Schema(name = "ScheduleStats", description = "The Oxylabs stats object plus Recur's skipped_run_count.")
    public record Stats(
            @JsonProperty("total_job_count") long totalJobCount,
            @JsonProperty("job_create_outcomes") List<CreateOutcome> jobCreateOutcomes,
            @JsonProperty("job_result_outcomes") List<ResultOutcome> jobResultOutcomes,

            @Schema(description = "(ext) fire times skipped, not run, because they were missed")
            @JsonProperty("skipped_run_count")
            long skippedRunCount) {}

    @Schema(name = "JobCreateOutcome")
    public record CreateOutcome(
            @JsonProperty("status_code") int statusCode,
            @JsonProperty("job_count") long jobCount,
            @JsonProperty("ratio") double ratio) {}

    @Schema(name = "JobResultOutcome")
    public record ResultOutcome(
            @Schema(enumeration = {"done", "faulted"}) @JsonProperty("status")
            String status,

            @JsonProperty("job_count") long jobCount,
            @JsonProperty("ratio") double ratio) {}

    @Schema(
            name = "Job",
            additionalProperties = Schema.True.class,
            description = "The push-pull job object: the "
                    + "item's fields (source, query or url, callback_url, storage_type, storage_url, ...) and the job's; "
                    + "callbacks carry the same object.")
    public record JobObject(
            @JsonProperty("id") long id,
            @JsonProperty("id_str") String idStr,

            @Schema(enumeration = {"pending", "done", "faulted"}) @JsonProperty("status")
            String status,

            @JsonProperty("created_at") String createdAt,
            @JsonProperty("updated_at") String updatedAt,
            @JsonProperty("schedule_id") long scheduleId,
            @JsonProperty("schedule_id_str") String scheduleIdStr,
            @JsonProperty("run_id") long runId,
            @JsonProperty("run_id_str") String runIdStr,

            @Schema(description = "once the scraper has answered") @JsonProperty("create_status_code")
            Integer createStatusCode,

            @Schema(description = "why a faulted job gave up") @JsonProperty("error")
            String error,

            @JsonProperty("_links") List<Link> links) {}

    @Schema(name = "Link")
    public record Link(
            @Schema(enumeration = {"self", "results"}) @JsonProperty("rel")
            String rel,

            @JsonProperty("href") String href,
            @JsonProperty("method") String method) {}

    @Schema(name = "Results", description = "The job's result pages as the scraper answered them.")
    public record Results(@JsonProperty("results") List<ResultPage> results) {}

    @Schema(name = "ResultPage", additionalProperties = Schema.True.class)
    public record ResultPage(
            @Schema(description = "the page: HTML text, or an object when parsed") @JsonProperty("content")
            Object content,

            @JsonProperty("created_at") String createdAt,
            @JsonProperty("updated_at") String updatedAt,
            @JsonProperty("page") int page,
            @JsonProperty("url") String url,
            @JsonProperty("job_id") String jobId,
            @JsonProperty("status_code") int statusCode,
            @JsonProperty("parser_type") String parserType) {}
}
