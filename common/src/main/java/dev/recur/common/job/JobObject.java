package dev.recur.common.job;

import java.time.Instant;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobStatus;
import dev.recur.common.json.EventJson;
import dev.recur.common.time.ApiTime;

/**
 * The job object, the one shape a job has on the wire: {@code GET /v1/queries/{id}} answers it, and a callback
 * carries it (with the extras the callback adds, see {@link #render}). The item's own fields come first and Recur's
 * fields win where names collide; {@code create_status_code} and {@code error} appear once the job has them.
 *
 * @param jobId the job's id
 * @param scheduleId its schedule's id
 * @param runId its run's id
 * @param status {@code null} while the job's result has not arrived ({@code pending})
 * @param createdAt when the job was created (its run's due time, or the runner's start)
 * @param updatedAt when its result was made; {@code null} while pending ({@code created_at} is shown)
 * @param createStatusCode the status of the scraper's create call, {@code null} while pending
 * @param error why the job faulted, if it did
 */
public record JobObject(
        long jobId,
        long scheduleId,
        long runId,
        JobStatus status,
        Instant createdAt,
        Instant updatedAt,
        Integer createStatusCode,
        String error) {

    /** {@code pending} until the job's result arrives, then {@code done} or {@code faulted}. */
    public static String statusName(JobStatus status) {
        return status == null ? "pending" : status.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The job object of {@code item}.
     *
     * @param item the job's item, or {@code null}; a value that is not an object is left out
     * @param apiBaseUrl the API's public base URL, with or without a trailing slash, for {@code _links}
     * @param extras fields of the message that carries the object (the callback's {@code scheduled_for}), placed
     *     before {@code _links}; {@code null} for none
     */
    public ObjectNode render(JsonNode item, String apiBaseUrl, ObjectNode extras) {
        ObjectNode job = EventJson.mapper().createObjectNode();
        if (item != null && item.isObject()) {
            job.setAll((ObjectNode) item);
        }
        job.put("id", jobId);
        job.put("id_str", Long.toString(jobId));
        job.put("status", statusName(status));
        job.put("created_at", ApiTime.format(createdAt));
        job.put("updated_at", ApiTime.format(updatedAt == null ? createdAt : updatedAt));
        job.put("schedule_id", scheduleId);
        job.put("schedule_id_str", Long.toString(scheduleId));
        job.put("run_id", runId);
        job.put("run_id_str", Long.toString(runId));
        if (createStatusCode != null) {
            job.put("create_status_code", createStatusCode);
        }
        if (error != null) {
            job.put("error", error);
        }
        if (extras != null) {
            job.setAll(extras);
        }
        job.remove("_links"); // last, even when the item has a field of that name
        String self = (apiBaseUrl.endsWith("/") ? apiBaseUrl : apiBaseUrl + "/") + "v1/queries/" + jobId;
        ArrayNode links = job.putArray("_links");
        links.addObject().put("rel", "self").put("href", self).put("method", "GET");
        links.addObject().put("rel", "results").put("href", self + "/results").put("method", "GET");
        return job;
    }
}
