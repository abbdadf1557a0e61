package dev.recur.delivery.domain;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.log.JobMdc;

/**
 * A job that reached its final status, as delivery keeps it (without the result pages).
 *
 * @param skippedRuns the {@code skipped_runs} of its result, as consumed: counted into the schedule's statistics
 *     with the run's first item's job; not kept in the job log (0 for a job loaded from it)
 */
public record FinishedJob(
        long jobId,
        long runId,
        long scheduleId,
        String owner,
        Instant scheduledFor,
        int itemIndex,
        ObjectNode item,
        int createStatusCode,
        JobStatus status,
        String error,
        Instant createdAt,
        Instant resultCreatedAt,
        int skippedRuns) {

    public static FinishedJob of(JobResult result) {
        return of(result, result.status(), result.error());
    }

    /** The job of {@code result}, faulted for the given reason (its create status code kept). */
    public static FinishedJob faulted(JobResult result, String reason) {
        return of(result, JobStatus.FAULTED, reason);
    }

    private static FinishedJob of(JobResult result, JobStatus status, String error) {
        return new FinishedJob(
                result.jobId(),
                result.runId(),
                result.scheduleId(),
                result.owner(),
                result.scheduledFor(),
                result.itemIndex(),
                result.item(),
                result.createStatusCode(),
                status,
                error,
                result.createdAt(),
                result.updatedAt(),
                result.skippedRuns());
    }

    /** The job's ids in the logging context, for the lines logged about it. */
    public JobMdc logContext() {
        return JobMdc.of(scheduleId, runId, jobId, owner);
    }

    /** The item's {@code callback_url}, if it has a non-blank one. */
    public String callbackUrl() {
        return text("callback_url");
    }

    public String storageType() {
        return text("storage_type");
    }

    public String storageUrl() {
        return text("storage_url");
    }

    private String text(String field) {
        if (item == null || !item.hasNonNull(field) || !item.get(field).isTextual()) {
            return null;
        }
        String value = item.get(field).asText().trim();
        return value.isEmpty() ? null : value;
    }
}
