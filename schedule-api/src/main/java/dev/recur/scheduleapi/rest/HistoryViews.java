package dev.recur.scheduleapi.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.recur.common.event.JobStatus;
import dev.recur.common.json.EventJson;
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
                withRun ? Long.toString(j.runId) : null, j.createStatusCode, status(j.resultStatus),
                ApiTime.format(j.createdAt), j.resultCreatedAt == null ? null : ApiTime.format(j.resultCreatedAt));
    }

    /** The push-pull job object: the item's fields, then Recur's own, which win over same-named item keys. */
    static ObjectNode queryJob(JobHistoryEntry j, String baseUri) {
        ObjectNode job = EventJson.mapper().createObjectNode();
        if (j.item != null) {
            JsonNode item = ReadModelService.readTree(j.item);
            if (item.isObject()) {
                job.setAll((ObjectNode) item);
            }
        }
        job.put("id", j.jobId);
        job.put("id_str", Long.toString(j.jobId));
        job.put("status", status(j.resultStatus));
        job.put("created_at", ApiTime.format(j.createdAt));
        job.put("updated_at", ApiTime.format(j.resultCreatedAt == null ? j.createdAt : j.resultCreatedAt));
        job.put("schedule_id", j.scheduleId);
        job.put("schedule_id_str", Long.toString(j.scheduleId));
        job.put("run_id", j.runId);
        job.put("run_id_str", Long.toString(j.runId));
        if (j.createStatusCode != null) {
            job.put("create_status_code", j.createStatusCode);
        }
        if (j.error != null) {
            job.put("error", j.error);
        }
        String self = baseUri + "v1/queries/" + j.jobId;
        ArrayNode links = job.putArray("_links");
        links.addObject().put("rel", "self").put("href", self).put("method", "GET");
        links.addObject().put("rel", "results").put("href", self + "/results").put("method", "GET");
        return job;
    }

    /** API.md's job status: {@code pending} until the job's record arrives, then {@code done} or {@code faulted}. */
    private static String status(JobStatus status) {
        return status == null ? "pending" : status.name().toLowerCase(Locale.ROOT);
    }
}
