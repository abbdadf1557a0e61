package dev.recur.delivery.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import dev.recur.common.event.JobStatus;
import dev.recur.delivery.domain.FinishedJob;
import org.junit.jupiter.api.Test;

class JobCountsTest {

    private static final Instant MINUTE = Instant.parse("2026-01-01T00:05:00Z");

    @Test
    void shouldCountJobsPerScheduleOutcomeAndRun() {
        // schedule 2: run 20 with three items (two done), its first item carrying three skipped fire times; run 21
        // with one faulted item whose create answered 400. Schedule 1: one done job.
        JobCounts counts = JobCounts.of(List.of(
                job(2, 20, 0, 202, JobStatus.DONE, 3),
                job(2, 20, 1, 202, JobStatus.DONE, 0),
                job(1, 10, 0, 202, JobStatus.DONE, 0),
                job(2, 20, 2, 202, JobStatus.FAULTED, 0),
                job(2, 21, 0, 400, JobStatus.FAULTED, 0)));

        assertThat(counts.schedules().keySet()).as("in id order").containsExactly(1L, 2L);
        assertThat(counts.schedules().get(2L)).isEqualTo(new JobCounts.ScheduleCount("owner-2", 4, 3));
        assertThat(counts.schedules().get(1L)).isEqualTo(new JobCounts.ScheduleCount("owner-1", 1, 0));
        assertThat(counts.createOutcomes())
                .containsEntry(new JobCounts.CreateOutcome(2, 202), 3L)
                .containsEntry(new JobCounts.CreateOutcome(2, 400), 1L)
                .containsEntry(new JobCounts.CreateOutcome(1, 202), 1L)
                .hasSize(3);
        assertThat(counts.resultOutcomes())
                .containsEntry(new JobCounts.ResultOutcome(2, "done"), 2L)
                .containsEntry(new JobCounts.ResultOutcome(2, "faulted"), 2L)
                .containsEntry(new JobCounts.ResultOutcome(1, "done"), 1L)
                .hasSize(3);
        assertThat(counts.runs())
                .containsEntry(20L, new JobCounts.RunCount(2, MINUTE, 3, 2))
                .containsEntry(21L, new JobCounts.RunCount(2, MINUTE, 1, 0))
                .containsEntry(10L, new JobCounts.RunCount(1, MINUTE, 1, 1))
                .hasSize(3);
    }

    @Test
    void shouldCountSkippedFireTimesOnlyWithARunsFirstItem() {
        JobCounts counts = JobCounts.of(List.of(job(5, 50, 1, 202, JobStatus.DONE, 7)));

        assertThat(counts.schedules().get(5L).skippedRuns()).isZero();
    }

    private static FinishedJob job(
            long scheduleId, long runId, int itemIndex, int createStatus, JobStatus status, int skippedRuns) {
        return new FinishedJob(
                runId * 100 + itemIndex,
                runId,
                scheduleId,
                "owner-" + scheduleId,
                MINUTE,
                itemIndex,
                null,
                createStatus,
                status,
                null,
                MINUTE,
                MINUTE,
                skippedRuns);
    }
}
