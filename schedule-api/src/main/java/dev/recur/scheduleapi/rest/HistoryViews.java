package dev.recur.scheduleapi.rest;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.job.JobObject;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import dev.recur.scheduleapi.domain.JobSummary;
import dev.recur.scheduleapi.domain.RunSummary;
import dev.recur.scheduleapi.service.ReadModelService;
import dev.recur.scheduleapi.service.RunJobs;
import dev.recur.scheduleapi.service.Slice;

/** Maps the job history to the shapes of the runs, jobs and queries endpoints. */
final class HistoryViews {

    private HistoryViews() {}

    /**
     * A page of runs; a run's further jobs, when it has more than {@code jobsPerRun}, start at item index
     * {@code jobsPerRun}: every job below it is in the page.
     */
    static Responses.Runs runs(Slice<RunJobs> page, int jobsPerRun) {
        List<RunView> runs = page.rows().stream()
                .map(r -> {
                    RunSummary run = r.run();
                    double successRate = run.jobCount() == 0 ? 0 : (double) run.doneCount() / run.jobCount();
                    return new RunView(
                            run.runId(),
                            Long.toString(run.runId()),
                            ApiTime.format(run.scheduledFor()),
                            successRate,
                            r.jobs().stream().map(j -> job(j, false)).toList(),
                            run.jobCount(),
                            run.jobCount() > r.jobs().size() ? Cursors.ofIndex(jobsPerRun) : null);
                })
                .toList();
        return new Responses.Runs(
                runs,
                Cursors.next(
                        page,
                        last -> Cursors.of(last.run().scheduledFor(), last.run().runId())));
    }

    /** A page of a schedule's jobs, newest first. */
    static Responses.Jobs jobs(Slice<JobSummary> page) {
        return new Responses.Jobs(
                page.rows().stream().map(j -> job(j, true)).toList(),
                Cursors.next(page, last -> Cursors.of(last.createdAt(), last.jobId())));
    }

    /** A page of one run's jobs, in item order. */
    static Responses.Jobs runJobs(Slice<JobSummary> page) {
        return new Responses.Jobs(
                page.rows().stream().map(j -> job(j, true)).toList(),
                Cursors.next(page, last -> Cursors.ofIndex(last.itemIndex() + 1)));
    }

    static JobView job(JobSummary j, boolean withRun) {
        return new JobView(
                j.jobId(),
                Long.toString(j.jobId()),
                withRun ? j.runId() : null,
                withRun ? Long.toString(j.runId()) : null,
                j.createStatusCode(),
                JobObject.statusName(j.resultStatus()),
                ApiTime.format(j.createdAt()),
                j.resultCreatedAt() == null ? null : ApiTime.format(j.resultCreatedAt()));
    }

    /** The push-pull job object ({@link JobObject}, the shape callbacks carry too). */
    static ObjectNode queryJob(JobHistoryEntry j, String baseUri) {
        JsonNode item = j.item == null ? null : ReadModelService.readTree(j.item);
        return new JobObject(
                        j.jobId,
                        j.scheduleId,
                        j.runId,
                        j.resultStatus,
                        j.createdAt,
                        j.resultCreatedAt,
                        j.createStatusCode,
                        j.error)
                .render(item, baseUri, null);
    }
}
