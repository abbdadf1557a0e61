package dev.recur.scheduleapi.domain;

import java.time.Instant;

import dev.recur.common.event.JobStatus;

/**
 * A job as the runs and jobs listings show it: its history row without the item, the error and the results
 * reference, which only {@code GET /v1/queries/{id}} needs. {@code resultStatus} and {@code createStatusCode} are
 * null while the job is pending.
 */
public record JobSummary(
        long jobId,
        long runId,
        int itemIndex,
        Integer createStatusCode,
        JobStatus resultStatus,
        Instant createdAt,
        Instant resultCreatedAt) {}
