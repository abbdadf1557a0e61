package dev.recur.delivery.repository;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.recur.common.event.JobStatus;
import dev.recur.delivery.domain.FinishedJob;

/**
 * What a batch of newly logged jobs adds to the counters: per schedule, per create status and per result status of a
 * schedule, and per run. Schedules are in id order (see {@link JobRepository#count}).
 */
record JobCounts(
        Map<Long, ScheduleCount> schedules,
        Map<CreateOutcome, Long> createOutcomes,
        Map<ResultOutcome, Long> resultOutcomes,
        Map<Long, RunCount> runs) {

    /** A schedule's new jobs, and the fire times skipped before its new runs. */
    record ScheduleCount(String owner, long jobs, long skippedRuns) {}

    /** A schedule's jobs whose create answered {@code statusCode}. */
    record CreateOutcome(long scheduleId, int statusCode) {}

    /** A schedule's jobs that finished with {@code status} (lower case). */
    record ResultOutcome(long scheduleId, String status) {}

    /** A run's new jobs, and how many of them are done. */
    record RunCount(long scheduleId, Instant scheduledFor, long jobs, long done) {}

    /**
     * The counts of {@code newJobs}. The fire times skipped before a run are counted with the job of the run's first
     * item: every run has one, and the job log takes it once.
     */
    static JobCounts of(List<FinishedJob> newJobs) {
        Map<Long, ScheduleCount> schedules = new TreeMap<>();
        Map<CreateOutcome, Long> creates = new HashMap<>();
        Map<ResultOutcome, Long> results = new HashMap<>();
        Map<Long, RunCount> runs = new HashMap<>();
        for (FinishedJob j : newJobs) {
            long skipped = j.itemIndex() == 0 && j.skippedRuns() > 0 ? j.skippedRuns() : 0;
            schedules.merge(
                    j.scheduleId(),
                    new ScheduleCount(j.owner(), 1, skipped),
                    (a, b) -> new ScheduleCount(b.owner(), a.jobs() + 1, a.skippedRuns() + b.skippedRuns()));
            creates.merge(new CreateOutcome(j.scheduleId(), j.createStatusCode()), 1L, Long::sum);
            results.merge(new ResultOutcome(j.scheduleId(), statusName(j.status())), 1L, Long::sum);
            long done = j.status() == JobStatus.DONE ? 1 : 0;
            runs.merge(
                    j.runId(),
                    new RunCount(j.scheduleId(), j.scheduledFor(), 1, done),
                    (a, b) -> new RunCount(a.scheduleId(), a.scheduledFor(), a.jobs() + 1, a.done() + b.done()));
        }
        return new JobCounts(schedules, creates, results, runs);
    }

    /** A status as the job log and the counters store it. */
    static String statusName(JobStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }
}
