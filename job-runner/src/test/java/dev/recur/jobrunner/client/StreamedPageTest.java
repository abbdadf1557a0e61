package dev.recur.jobrunner.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.recur.common.event.ResultPage;
import dev.recur.common.json.EventJson;
import org.junit.jupiter.api.Test;

class StreamedPageTest {

    private static final Instant CREATED = Instant.parse("2026-12-07T06:00:00Z");
    private static final Instant UPDATED = Instant.parse("2026-12-07T06:00:03.25Z");

    @Test
    void shouldWriteWhatJacksonWritesWhateverTheChunksSplit() {
        StringBuilder text = new StringBuilder("<html>\"quoted\" back\\slash \t\n\r\b\f \u0001\u001f é € 😀 ");
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            text.append((char) (random.nextInt(10) == 0 ? random.nextInt(0x20) : 0x20 + random.nextInt(0x3000)));
        }
        String page = text.toString().replaceAll("[\\uD800-\\uDFFF]", "x") + "😀 end";
        for (Charset charset : List.of(StandardCharsets.UTF_8, StandardCharsets.UTF_16BE)) {
            byte[] body = page.getBytes(charset);
            for (int chunk : new int[] {1, 3, 8192, body.length}) {
                assertThat(streamed(body, chunk, charset))
                        .as("%s in chunks of %d", charset, chunk)
                        .isEqualTo(jackson(page));
            }
        }
    }

    @Test
    void shouldReplaceMalformedBytesAsDecodingAStringDoes() {
        byte[] body = {'a', (byte) 0xC3, 'b', (byte) 0xF0, (byte) 0x9F, 'c', (byte) 0xE2, (byte) 0x82};
        String decoded = new String(body, StandardCharsets.UTF_8);

        assertThat(streamed(body, 2, StandardCharsets.UTF_8)).isEqualTo(jackson(decoded));
    }

    private static byte[] streamed(byte[] body, int chunk, Charset charset) {
        StreamedPage page = new StreamedPage(charset, 1024);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += chunk) {
            page.write(Arrays.copyOfRange(body, at, Math.min(body.length, at + chunk)));
            out.write(page.buffer(), 0, page.pending());
            page.clear();
        }
        page.end(200, "http://127.0.0.1/page", CREATED, UPDATED);
        out.write(page.buffer(), 0, page.pending());
        return out.toByteArray();
    }

    private static byte[] jackson(String content) {
        return EventJson.write(List.of(new ResultPage(
                TextNode.valueOf(content), 200, "http://127.0.0.1/page", 1, CREATED, UPDATED, null, null)));
    }
}
