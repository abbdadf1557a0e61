package dev.recur.ticker.codecs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DueRun;
import dev.recur.common.json.EventJson;
import dev.recur.ticker.topology.Snapshots;
import org.junit.jupiter.api.Test;

class DueRunJsonTest {

    private static final Instant MINUTE = Instant.parse("2026-11-28T12:01:00Z");

    @Test
    void shouldWriteTheSameBytesAsTheEventMapperWhenRunIsOnTime() {
        assertSameAsMapper("alice", Snapshots.items(3), MINUTE, false, MINUTE.plusMillis(1234));
    }

    @Test
    void shouldWriteTheSameBytesAsTheEventMapperWhenOwnerAndItemsNeedEscaping() {
        List<ObjectNode> items = List.of(EventJson.mapper()
                .createObjectNode()
                .put("source", "universal")
                .put("url", "https://example.com/é?q=\"x\"\\n\u0001")
                .put("note", "日本"));
        assertSameAsMapper(
                "bob \"the\" \\ o'brien\u00e9\u0002",
                items,
                MINUTE.plusSeconds(17),
                true,
                MINUTE.plusSeconds(3600).plusNanos(123_456_789));
    }

    @Test
    void shouldWriteTheSameBytesAsTheEventMapperWhenRunHasNoItemsOrOwner() {
        assertSameAsMapper(null, List.of(), MINUTE, false, MINUTE);
    }

    @Test
    void shouldWriteTheSameBytesAsTheEventMapperWhenNumbersHaveAnyLengthOrSign() {
        List<Long> numbers = new java.util.ArrayList<>(List.of(
                0L,
                1L,
                -1L,
                9L,
                10L,
                11L,
                99L,
                100L,
                101L,
                -10L,
                -100L,
                999_999_999_999_999_999L,
                1_000_000_000_000_000_000L,
                Long.MAX_VALUE,
                Long.MIN_VALUE,
                Long.MIN_VALUE + 1));
        for (long power = 1; power > 0 && power <= Long.MAX_VALUE / 10; power *= 10) {
            numbers.addAll(List.of(power - 1, power, power + 1, -power, 1 - power));
        }
        java.util.Random random = new java.util.Random(4);
        for (int i = 0; i < 2_000; i++) {
            numbers.add(random.nextLong() >> random.nextInt(64));
        }
        for (long number : numbers) {
            int skipped = (int) Math.abs(number % 3 == 0 ? 0 : number % Integer.MAX_VALUE);
            DueRun run = DueRun.of(
                            number,
                            Math.abs(number % 1_000_000),
                            "alice",
                            MINUTE,
                            MINUTE,
                            false,
                            0,
                            1,
                            0,
                            (int) Math.abs(number % 100_000),
                            List.of(),
                            MINUTE)
                    .withSkippedRuns(skipped);
            byte[] written = DueRunJson.write(
                    number,
                    Math.abs(number % 1_000_000),
                    "alice",
                    MINUTE.toString(),
                    MINUTE.toString(),
                    false,
                    (int) Math.abs(number % 100_000),
                    EventJson.write(List.of()),
                    MINUTE.toString(),
                    skipped);
            assertThat(new String(written, java.nio.charset.StandardCharsets.UTF_8))
                    .as("run id %d", number)
                    .isEqualTo(new String(EventJson.write(run), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldWriteTheSameBytesAsTheEventMapperWhenRunCarriesSkippedRuns() {
        for (int skipped : new int[] {1, 9, 10, 31, 1440, Integer.MAX_VALUE}) {
            assertSameAsMapper("alice", List.of(), MINUTE, true, MINUTE.plusMillis(5), skipped);
        }
    }

    private static void assertSameAsMapper(
            String owner, List<ObjectNode> items, Instant notBefore, boolean late, Instant publishedAt) {
        assertSameAsMapper(owner, items, notBefore, late, publishedAt, 0);
    }

    private static void assertSameAsMapper(
            String owner, List<ObjectNode> items, Instant notBefore, boolean late, Instant publishedAt, int skipped) {
        DueRun run = DueRun.of(42L, 7L, owner, MINUTE, notBefore, late, 0, 1, 0, items.size(), items, publishedAt)
                .withSkippedRuns(skipped);

        byte[] written = DueRunJson.write(
                42L,
                7L,
                owner,
                MINUTE.toString(),
                notBefore.toString(),
                late,
                items.size(),
                EventJson.write(items),
                publishedAt.toString(),
                skipped);

        assertThat(new String(written, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(EventJson.write(run), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(EventJson.read(written, DueRun.class)).isEqualTo(run);
    }
}
