package dev.recur.ticker.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.recur.common.event.DueRun;
import dev.recur.common.json.EventJson;

class DueRunJsonTest {

    private static final Instant MINUTE = Instant.parse("2026-11-28T12:01:00Z");

    @Test
    void shouldWriteTheSameBytesAsTheEventMapperWhenRunIsOnTime() {
        assertSameAsMapper("alice", Snapshots.items(3), MINUTE, false, MINUTE.plusMillis(1234));
    }

    @Test
    void shouldWriteTheSameBytesAsTheEventMapperWhenOwnerAndItemsNeedEscaping() {
        List<ObjectNode> items = List.of(EventJson.mapper().createObjectNode().put("source", "universal")
                .put("url", "https://example.com/é?q=\"x\"\\n\u0001").put("note", "日本"));
        assertSameAsMapper("bob \"the\" \\ o'brien\u00e9\u0002", items, MINUTE.plusSeconds(17), true,
                MINUTE.plusSeconds(3600).plusNanos(123_456_789));
    }

    @Test
    void shouldWriteTheSameBytesAsTheEventMapperWhenRunHasNoItemsOrOwner() {
        assertSameAsMapper(null, List.of(), MINUTE, false, MINUTE);
    }

    private static void assertSameAsMapper(String owner, List<ObjectNode> items, Instant notBefore, boolean late,
            Instant publishedAt) {
        DueRun run = DueRun.of(42L, 7L, owner, MINUTE, notBefore, late, 0, 1, 0, items.size(), items, publishedAt);

        byte[] written = DueRunJson.write(42L, 7L, owner, MINUTE.toString(), notBefore.toString(), late,
                items.size(), EventJson.write(items), publishedAt.toString());

        assertThat(new String(written, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(EventJson.write(run), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(EventJson.read(written, DueRun.class)).isEqualTo(run);
    }
}
