package dev.recur.delivery.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.job.JobObject;
import dev.recur.common.json.EventJson;
import dev.recur.common.time.ApiTime;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;

/**
 * A callback's body: the {@link JobObject} of {@code GET /v1/queries/{id}}, with the callback's extra
 * {@code scheduled_for} and the results inline when small.
 */
public final class JobObjectRenderer {

    private static final ObjectMapper MAPPER = EventJson.mapper();
    private static final byte[] DOCUMENT_PREFIX = "{\"results\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESULTS_FIELD = ",\"results\":".getBytes(StandardCharsets.US_ASCII);

    private final String publicBaseUrl;
    private final int inlineResultsLimitBytes;

    public JobObjectRenderer(String publicBaseUrl, int inlineResultsLimitBytes) {
        this.publicBaseUrl = publicBaseUrl;
        this.inlineResultsLimitBytes = inlineResultsLimitBytes;
    }

    public byte[] render(DeliverableJob deliverable) {
        FinishedJob job = deliverable.job();
        ObjectNode extras = MAPPER.createObjectNode().put("scheduled_for", ApiTime.format(job.scheduledFor()));
        ObjectNode body = new JobObject(
                        job.jobId(),
                        job.scheduleId(),
                        job.runId(),
                        job.status(),
                        job.createdAt(),
                        job.resultCreatedAt(),
                        job.createStatusCode(),
                        job.error())
                .render(job.item(), publicBaseUrl, extras);
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
        if (document.length < DOCUMENT_PREFIX.length + 3
                || document[document.length - 1] != '}'
                || document[DOCUMENT_PREFIX.length] != '['
                || document[document.length - 2] != ']') {
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
