package dev.recur.scheduleapi.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;

import dev.recur.common.event.JobStatus;
import dev.recur.common.json.EventJson;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import org.junit.jupiter.api.Test;

/** The query response's job object is the golden one of common's JobObjectTest, which callbacks carry too. */
class HistoryViewsTest {

    private static final Path GOLDEN = Path.of("../common/src/test/resources/job-object");
    private static final Instant CREATED = Instant.parse("2026-12-07T06:00:00Z");

    @Test
    void shouldAnswerTheGoldenJobObjectForAFinishedJob() throws Exception {
        JobHistoryEntry entry = entry();
        entry.resultStatus = JobStatus.DONE;
        entry.createStatusCode = 200;
        entry.resultCreatedAt = CREATED.plusMillis(3_250);

        assertThat(written(HistoryViews.queryJob(entry, "https://recur.example.com/")))
                .isEqualTo(golden("done.json"));
    }

    @Test
    void shouldAnswerTheGoldenJobObjectForAPendingJob() throws Exception {
        assertThat(written(HistoryViews.queryJob(entry(), "https://recur.example.com/")))
                .isEqualTo(golden("pending.json"));
    }

    /** As written, so that field order and number types count too. */
    private static String written(Object json) throws Exception {
        return EventJson.mapper().writeValueAsString(json);
    }

    private static String golden(String file) throws Exception {
        return written(EventJson.mapper().readTree(GOLDEN.resolve(file).toFile()));
    }

    private static JobHistoryEntry entry() {
        JobHistoryEntry entry = new JobHistoryEntry();
        entry.jobId = 7001;
        entry.scheduleId = 42;
        entry.runId = 9001;
        entry.owner = "alice";
        entry.scheduledFor = CREATED;
        entry.createdAt = CREATED;
        entry.item = """
                {"source": "universal", "url": "https://example.com/p", "callback_url": "https://hooks.example.com/recur",
                 "id": "the item's id", "_links": "the item's links"}""";
        return entry;
    }
}
