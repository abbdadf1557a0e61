package dev.recur.common.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobStatus;
import dev.recur.common.json.EventJson;
import org.junit.jupiter.api.Test;

/**
 * The job object against its golden files. delivery's callback body and schedule-api's query response are held to
 * the same files (JobObjectRendererTest, HistoryViewsTest), so the two cannot drift apart.
 */
class JobObjectTest {

    static final Path GOLDEN = Path.of("src/test/resources/job-object");
    private static final Instant CREATED = Instant.parse("2026-12-07T06:00:00Z");

    @Test
    void shouldRenderAFinishedJobAsTheGoldenFileHasIt() throws Exception {
        ObjectNode job = new JobObject(7001, 42, 9001, JobStatus.DONE, CREATED, CREATED.plusMillis(3_250), 200, null)
                .render(item(), "https://recur.example.com/", null);

        assertSameAsGolden(job, "done.json");
    }

    @Test
    void shouldRenderAPendingJobWithoutCreateStatusCode() throws Exception {
        ObjectNode job = new JobObject(7001, 42, 9001, null, CREATED, null, null, null)
                .render(item(), "https://recur.example.com", null);

        assertSameAsGolden(job, "pending.json");
    }

    @Test
    void shouldPutExtrasAndTheErrorBeforeTheLinks() {
        ObjectNode job = new JobObject(7001, 42, 9001, JobStatus.FAULTED, CREATED, CREATED, 503, "gave up")
                .render(
                        null,
                        "https://recur.example.com",
                        EventJson.mapper().createObjectNode().put("scheduled_for", "2026-12-07 06:00:00"));

        assertThat(job.get("error").asText()).isEqualTo("gave up");
        assertThat(job.get("status").asText()).isEqualTo("faulted");
        List<String> names = fieldNames(job);
        assertThat(names.subList(names.size() - 3, names.size())).containsExactly("error", "scheduled_for", "_links");
    }

    /** The item's own fields first; Recur's replace same-named ones, and the links come last. */
    static ObjectNode item() {
        return JsonNodeFactory.instance
                .objectNode()
                .put("source", "universal")
                .put("url", "https://example.com/p")
                .put("callback_url", "https://hooks.example.com/recur")
                .put("id", "the item's id")
                .put("_links", "the item's links");
    }

    private static void assertSameAsGolden(ObjectNode job, String file) throws Exception {
        // compared as written, so that field order and number types count too
        JsonNode golden = EventJson.mapper().readTree(GOLDEN.resolve(file).toFile());
        assertThat(EventJson.mapper().writeValueAsString(job))
                .isEqualTo(EventJson.mapper().writeValueAsString(golden));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
