package dev.recur.scheduleapi.service;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobRecord;
import dev.recur.common.event.ScheduleStats;
import dev.recur.common.json.EventJson;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import dev.recur.scheduleapi.domain.JobSummary;
import dev.recur.scheduleapi.domain.RunSummary;
import dev.recur.scheduleapi.domain.ScheduleStatsView;
import dev.recur.scheduleapi.repository.JobHistoryRepository;
import dev.recur.scheduleapi.repository.JobHistoryRepository.Position;
import dev.recur.scheduleapi.repository.ScheduleRepository;
import dev.recur.scheduleapi.repository.ScheduleStatsRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The statistics and job history that delivery publishes, and the jobs of due runs (pending until delivery
 * reports them), kept in schedule-api's own tables.
 */
@ApplicationScoped
public class ReadModelService {

    /** The {@code stats} object before delivery has reported anything about the schedule. */
    private static final String NO_STATS = "{\"total_job_count\":0,\"job_create_outcomes\":[],"
            + "\"job_result_outcomes\":[],\"skipped_run_count\":0}";

    @Inject
    ScheduleStatsRepository stats;

    @Inject
    JobHistoryRepository history;

    @Inject
    ScheduleRepository schedules;

    /** Keeps the newest statistics of a schedule; an older snapshot arriving late is dropped. */
    @Transactional
    public void record(ScheduleStats event) {
        ScheduleStatsView view = stats.findById(event.scheduleId());
        if (view == null) {
            view = new ScheduleStatsView();
            view.scheduleId = event.scheduleId();
        } else if (view.updatedAt != null
                && event.updatedAt() != null
                && event.updatedAt().isBefore(view.updatedAt)) {
            return;
        }
        view.owner = event.owner();
        ObjectNode json = EventJson.mapper().createObjectNode();
        json.put("total_job_count", event.totalJobCount());
        json.set(
                "job_create_outcomes",
                EventJson.mapper()
                        .valueToTree(event.jobCreateOutcomes() == null ? List.of() : event.jobCreateOutcomes()));
        json.set(
                "job_result_outcomes",
                EventJson.mapper()
                        .valueToTree(event.jobResultOutcomes() == null ? List.of() : event.jobResultOutcomes()));
        // Recur's addition to the Oxylabs stats object: fire times skipped, not run (catch-up)
        json.put("skipped_run_count", event.skippedRunCount());
        view.stats = json.toString();
        view.updatedAt = event.updatedAt() == null ? Instant.EPOCH : event.updatedAt();
        stats.persist(view);
    }

    /** Makes the jobs of due-run slices known as pending (API.md), until their records replace them. */
    public void recordPending(List<DueRun> slices) {
        List<DueRun> withItems =
                slices.stream().filter(s -> s != null && s.items() != null).toList();
        if (!withItems.isEmpty()) {
            history.insertPending(withItems);
        }
    }

    /**
     * Stores finished jobs; a record replaces the job's pending row, a redelivered one overwrites the row of the
     * same job id with the same data.
     */
    public void recordFinished(List<JobRecord> records) {
        List<JobRecord> readable = records.stream().filter(r -> r != null).toList();
        if (!readable.isEmpty()) {
            history.upsertFinished(readable);
        }
    }

    /**
     * The JSON of a schedule's {@code stats} object: the stored one as it is (the read model wrote it), zero counts
     * until delivery has reported any. Text, not a tree: the response embeds it without parsing it again.
     */
    public static String statsJson(String storedStats) {
        return storedStats == null ? NO_STATS : storedStats;
    }

    /**
     * Whether user {@code ownerId} may read the history of the schedule: it is theirs, or it was theirs and was
     * deleted while its jobs stay in the history.
     */
    @Transactional
    public boolean visible(long scheduleId, long ownerId) {
        return schedules.findOwned(scheduleId, ownerId).isPresent()
                || history.count("scheduleId = ?1 and ownerId = ?2", scheduleId, ownerId) > 0;
    }

    /**
     * A page of the schedule's runs, newest first, after {@code after} (a keyset cursor) or from row {@code offset};
     * each run with its jobs counted and its first {@code jobsPerRun} jobs without their items, so that a page's
     * size is bounded whatever a run's size.
     */
    @Transactional
    public Slice<RunJobs> runPage(long scheduleId, Position after, long offset, int limit, int jobsPerRun) {
        Slice<RunSummary> runs = Slice.of(history.runSummaries(scheduleId, after, offset, limit + 1), limit);
        Map<Long, List<JobSummary>> byRun =
                history
                        .firstJobsOfRuns(
                                scheduleId,
                                runs.rows().stream().map(RunSummary::runId).toList(),
                                jobsPerRun)
                        .stream()
                        .collect(Collectors.groupingBy(JobSummary::runId));
        List<RunJobs> page = new ArrayList<>(runs.rows().size());
        runs.rows().forEach(run -> page.add(new RunJobs(run, byRun.getOrDefault(run.runId(), List.of()))));
        return new Slice<>(page, runs.more());
    }

    /** Jobs of one run of the schedule from item index {@code fromIndex} on, in item order, without their items. */
    @Transactional
    public Slice<JobSummary> runJobs(long scheduleId, long runId, int fromIndex, int limit) {
        return Slice.of(history.jobsOfRun(scheduleId, runId, fromIndex, limit + 1), limit);
    }

    /** A page of the schedule's jobs, newest first, after {@code after} or from row {@code offset}. */
    @Transactional
    public Slice<JobSummary> jobPage(long scheduleId, Position after, long offset, int limit) {
        return Slice.of(history.jobSummaries(scheduleId, after, offset, limit + 1), limit);
    }

    @Transactional
    public Optional<JobHistoryEntry> job(long jobId, long ownerId) {
        return history.findOwned(jobId, ownerId);
    }

    public static JsonNode readTree(String json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }
}
