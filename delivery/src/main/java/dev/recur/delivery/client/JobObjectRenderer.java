package dev.recur.delivery.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
    private static final byte[] DOCUMENT_PREFIX = "{\"results\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESULTS_FIELD = ",\"results\":".getBytes(StandardCharsets.US_ASCII);

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
        byte[] document = deliverable.resultsDocument();
        if (document == null || document.length > inlineResultsLimitBytes) {
            return write(body);
        }
        if (!isResultsDocument(document)) {
            body.set("results", results(document));
            return write(body);
        }
        // an item field of the same name gives way to the results, as it did when they were set on the tree
        body.remove("results");
        return withResults(write(body), document);
    }

    /**
     * {@code body} (a JSON object with at least one field) with {@code ,"results":} and the array of the results
     * document appended: the bytes ResultsStore wrote, copied rather than parsed into a tree and written out again.
     */
    private static byte[] withResults(byte[] body, byte[] document) {
        int arrayLength = document.length - DOCUMENT_PREFIX.length - 1;
        byte[] out = new byte[body.length - 1 + RESULTS_FIELD.length + arrayLength + 1];
        System.arraycopy(body, 0, out, 0, body.length - 1);
        int at = body.length - 1;
        System.arraycopy(RESULTS_FIELD, 0, out, at, RESULTS_FIELD.length);
        at += RESULTS_FIELD.length;
        System.arraycopy(document, DOCUMENT_PREFIX.length, out, at, arrayLength);
        out[out.length - 1] = '}';
        return out;
    }

    /**
     * Whether {@code document} is laid out as ResultsStore writes it, {@code {"results":[...]}} without whitespace;
     * any other layout is parsed. Only delivery writes results documents (ResultsStore, one field), so a document
     * with this start and end is that one field.
     */
    private static boolean isResultsDocument(byte[] document) {
        if (document.length < DOCUMENT_PREFIX.length + 3 || document[document.length - 1] != '}'
                || document[DOCUMENT_PREFIX.length] != '[' || document[document.length - 2] != ']') {
            return false;
        }
        for (int i = 0; i < DOCUMENT_PREFIX.length; i++) {
            if (document[i] != DOCUMENT_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] write(ObjectNode body) {
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
