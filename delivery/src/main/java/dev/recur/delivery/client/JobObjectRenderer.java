package dev.recur.delivery.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.recur.common.json.EventJson;
import dev.recur.common.time.ApiTime;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;

/** The job object of {@code GET /v1/queries/{id}}, which callbacks carry, with the results inline when small. */
public final class JobObjectRenderer {

    private static final ObjectMapper MAPPER = EventJson.mapper();

    private final String publicBaseUrl;
    private final int inlineResultsLimitBytes;

    public JobObjectRenderer(String publicBaseUrl, int inlineResultsLimitBytes) {
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1)
                : publicBaseUrl;
        this.inlineResultsLimitBytes = inlineResultsLimitBytes;
    }

    public byte[] render(DeliverableJob deliverable) {
        FinishedJob job = deliverable.job();
        ObjectNode body = MAPPER.createObjectNode();
        // the item's own fields first, so that the job's fields win where names collide
        if (job.item() != null) {
            body.setAll(job.item());
        }
        body.put("id", job.jobId());
        body.put("id_str", Long.toString(job.jobId()));
        body.put("status", job.status().name().toLowerCase(Locale.ROOT));
        body.put("created_at", ApiTime.format(job.createdAt()));
        body.put("updated_at", ApiTime.format(job.resultCreatedAt()));
        body.put("schedule_id", job.scheduleId());
        body.put("schedule_id_str", Long.toString(job.scheduleId()));
        body.put("run_id", job.runId());
        body.put("run_id_str", Long.toString(job.runId()));
        body.put("scheduled_for", ApiTime.format(job.scheduledFor()));
        body.put("create_status_code", job.createStatusCode());
        if (job.error() != null) {
            body.put("error", job.error());
        }
        String self = publicBaseUrl + "/v1/queries/" + job.jobId();
        ArrayNode links = body.putArray("_links");
        links.addObject().put("rel", "self").put("href", self).put("method", "GET");
        links.addObject().put("rel", "results").put("href", self + "/results").put("method", "GET");
        if (deliverable.resultsDocument() != null && deliverable.resultsDocument().length <= inlineResultsLimitBytes) {
            body.set("results", results(deliverable.resultsDocument()));
        }
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode results(byte[] document) {
        try {
            return MAPPER.readTree(document).get("results");
        } catch (IOException e) {
            throw new UncheckedIOException("results document is not JSON", e);
        }
    }
}
