package dev.recur.scheduleapi.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.recur.common.event.JobStatus;
import dev.recur.common.job.JobObject;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import dev.recur.scheduleapi.service.ReadModelService;

/** Maps the job history to the shapes of the runs, jobs and queries endpoints. */
final class HistoryViews {

    private HistoryViews() {
    }

    static List<RunView> runs(Map<Long, List<JobHistoryEntry>> byRun) {
        List<RunView> runs = new ArrayList<>(byRun.size());
        byRun.forEach((runId, jobs) -> {
            long done = jobs.stream().filter(j -> j.resultStatus == JobStatus.DONE).count();
            double successRate = jobs.isEmpty() ? 0 : (double) done / jobs.size();
            String scheduledFor = jobs.isEmpty() ? null : ApiTime.format(jobs.get(0).scheduledFor);
            runs.add(new RunView(runId, Long.toString(runId), scheduledFor, successRate,
                    jobs.stream().map(j -> job(j, false)).toList()));
        });
        return runs;
    }

    static JobView job(JobHistoryEntry j, boolean withRun) {
        return new JobView(j.jobId, Long.toString(j.jobId), withRun ? j.runId : null,
                withRun ? Long.toString(j.runId) : null, j.createStatusCode, JobObject.statusName(j.resultStatus),
                ApiTime.format(j.createdAt), j.resultCreatedAt == null ? null : ApiTime.format(j.resultCreatedAt));
    }

    /** The push-pull job object ({@link JobObject}, the shape callbacks carry too). */
    static ObjectNode queryJob(JobHistoryEntry j, String baseUri) {
        JsonNode item = j.item == null ? null : ReadModelService.readTree(j.item);
        return new JobObject(j.jobId, j.scheduleId, j.runId, j.resultStatus, j.createdAt, j.resultCreatedAt,
                j.createStatusCode, j.error).render(item, baseUri, null);
    }
}
