package dev.recur.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.json.EventJson;
import org.junit.jupiter.api.Test;

class JobResultWithersTest {

    /** A message as read from the topic, of a version other than this code's, with a sealed URL and skipped runs. */
    private static ObjectNode message() {
        return Golden.tree("job_result_sealed_callback.json")
                .put("version", JobResult.VERSION + 1)
                .put("skipped_runs", 3);
    }

    private static JobResult read(ObjectNode tree) {
        return EventJson.read(EventJson.write(tree), JobResult.class);
    }

    @Test
    void shouldChangeOnlySkippedRunsWhenWithSkippedRuns() {
        JobResult changed = read(message()).withSkippedRuns(7);

        assertThat(Golden.tree(EventJson.write(changed))).isEqualTo(message().put("skipped_runs", 7));
    }

    @Test
    void shouldChangeOnlyItemAndSealedUrlWhenWithCallback() {
        ObjectNode item = ((ObjectNode) message().get("item")).put("callback_url", "https://example.com/hook?token=1");

        JobResult changed = read(message()).withCallback(item, null);

        ObjectNode expected = message();
        expected.set("item", item);
        expected.remove("sealed_callback_url");
        assertThat(Golden.tree(EventJson.write(changed))).isEqualTo(expected);
    }
}
