package dev.recur.delivery.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultPage;
import dev.recur.common.json.EventJson;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;
import org.junit.jupiter.api.Test;

class JobObjectRendererTest {

    private static final Instant SCHEDULED_FOR = Instant.parse("2026-11-29T16:00:00Z");
    private static final List<ResultPage> PAGES = List.of(new ResultPage(
            JsonNodeFactory.instance.textNode("<html>\"é\"</html>"),
            200,
            "https://example.com/p",
            1,
            SCHEDULED_FOR.plusSeconds(2),
            SCHEDULED_FOR.plusSeconds(3),
            null,
            "scraper-1"));

    private static final java.nio.file.Path GOLDEN_DONE =
            java.nio.file.Path.of("../common/src/test/resources/job-object/done.json");

    private final JobObjectRenderer renderer = new JobObjectRenderer("https://recur.example.com/", 1_000);

    @Test
    void shouldCarryTheDocumentsResultsWhenTheyAreWithinTheInlineLimit() throws Exception {
        JsonNode body = render(item(), EventJson.write(Map.of("results", PAGES)));

        assertThat(body.get("results")).isEqualTo(EventJson.mapper().valueToTree(PAGES));
        assertThat(body.get("id").asLong()).isEqualTo(42L);
        assertThat(body.get("source").asText()).isEqualTo("universal");
        assertThat(body.get("_links").get(1).get("href").asText())
                .isEqualTo("https://recur.example.com/v1/queries/42/results");
    }

    @Test
    void shouldReplaceAnItemFieldNamedResultsWhenResultsAreInline() throws Exception {
        byte[] rendered = renderer.render(new DeliverableJob(
                job(item().put("results", "the item's")), EventJson.write(Map.of("results", PAGES))));
        JsonNode body = EventJson.mapper().readTree(rendered);

        assertThat(body.get("results")).isEqualTo(EventJson.mapper().valueToTree(PAGES));
        assertThat(new String(rendered, StandardCharsets.UTF_8)).containsOnlyOnce("\"results\":");
    }

    @Test
    void shouldParseTheDocumentWhenItIsNotLaidOutAsTheResultsStoreWritesIt() throws Exception {
        byte[] pretty = EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(Map.of("results", PAGES));

        JsonNode body = render(item(), pretty);

        assertThat(body.get("results")).isEqualTo(EventJson.mapper().valueToTree(PAGES));
    }

    @Test
    void shouldCarryAnEmptyArrayWhenTheJobHasNoPages() throws Exception {
        JsonNode body = render(item(), EventJson.write(Map.of("results", List.of())));

        assertThat(body.get("results").isArray()).isTrue();
        assertThat(body.get("results")).isEmpty();
    }

    @Test
    void shouldLeaveResultsOutWhenTheDocumentIsOverTheInlineLimit() throws Exception {
        JsonNode body = EventJson.mapper()
                .readTree(new JobObjectRenderer("https://recur.example.com", 10)
                        .render(new DeliverableJob(job(item()), EventJson.write(Map.of("results", PAGES)))));

        assertThat(body.has("results")).isFalse();
        assertThat(body.get("id").asLong()).isEqualTo(42L);
    }

    @Test
    void shouldSendTheQueryResponsesJobObjectPlusScheduledFor() throws Exception {
        // the same job as common's JobObjectTest renders into job-object/done.json, which schedule-api answers too
        Instant created = Instant.parse("2026-12-07T06:00:00Z");
        ObjectNode item = JsonNodeFactory.instance
                .objectNode()
                .put("source", "universal")
                .put("url", "https://example.com/p")
                .put("callback_url", "https://hooks.example.com/recur")
                .put("id", "the item's id")
                .put("_links", "the item's links");
        FinishedJob done = new FinishedJob(
                7001,
                9001,
                42,
                "alice",
                created,
                0,
                item,
                200,
                JobStatus.DONE,
                null,
                created,
                created.plusMillis(3_250),
                0);

        ObjectNode body = (ObjectNode) EventJson.mapper()
                .readTree(new JobObjectRenderer("https://recur.example.com", 1_000)
                        .render(new DeliverableJob(done, null)));

        assertThat(body.remove("scheduled_for").asText()).isEqualTo("2026-12-07 06:00:00");
        assertThat(EventJson.mapper().writeValueAsString(body))
                .isEqualTo(
                        EventJson.mapper().writeValueAsString(EventJson.mapper().readTree(GOLDEN_DONE.toFile())));
    }

    private JsonNode render(ObjectNode item, byte[] document) throws Exception {
        return EventJson.mapper().readTree(renderer.render(new DeliverableJob(job(item), document)));
    }

    private static ObjectNode item() {
        return JsonNodeFactory.instance.objectNode().put("source", "universal").put("url", "https://example.com/p");
    }

    private static FinishedJob job(ObjectNode item) {
        return FinishedJob.of(JobResult.of(
                42L,
                7L,
                9L,
                "alice",
                SCHEDULED_FOR,
                0,
                item,
                200,
                JobStatus.DONE,
                null,
                "http_fetcher",
                1,
                SCHEDULED_FOR.plusSeconds(1),
                SCHEDULED_FOR.plusSeconds(4),
                PAGES,
                null));
    }
}
