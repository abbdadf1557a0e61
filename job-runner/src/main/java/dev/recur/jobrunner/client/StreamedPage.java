package dev.recur.jobrunner.client;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.recur.common.event.ResultPage;
import dev.recur.common.json.EventJson;

/**
 * A page's claim check written as its bytes arrive, never held whole: the JSON array of one {@link ResultPage} whose
 * {@code content} is the body decoded with its charset and escaped as Jackson escapes a string, so that the object is
 * byte for byte what {@code EventJson.write(List.of(page))} gives. The caller hands {@link #pending()} bytes to the
 * upload and {@link #clear()}s them; the buffer stays near one part.
 */
final class StreamedPage {

    private static final String MARK = "recur-streamed-content-5b1d";
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private final CharsetDecoder decoder;
    private ByteBuffer undecoded = ByteBuffer.allocate(0);
    private CharBuffer chars = CharBuffer.allocate(8192);
    private byte[] out;
    private int length;

    StreamedPage(Charset charset, int capacity) {
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.out = new byte[Math.max(1024, capacity)];
        append(split(EventJson.write(List.of(page(0, "", null, null))))[0]);
    }

    /** Bytes buffered and not uploaded yet. */
    int pending() {
        return length;
    }

    byte[] buffer() {
        return out;
    }

    void clear() {
        length = 0;
    }

    /** Appends the escaped text of {@code bytes}. */
    void write(byte[] bytes) {
        ByteBuffer in;
        if (undecoded.hasRemaining()) {
            in = ByteBuffer.allocate(undecoded.remaining() + bytes.length);
            in.put(undecoded).put(bytes).flip();
        } else {
            in = ByteBuffer.wrap(bytes);
        }
        decode(in, false);
        undecoded = in.hasRemaining()
                ? ByteBuffer.wrap(
                        Arrays.copyOfRange(in.array(), in.arrayOffset() + in.position(), in.arrayOffset() + in.limit()))
                : ByteBuffer.allocate(0);
    }

    /** Ends the content string and appends the page's other fields: the object is then complete. */
    void end(int status, String url, java.time.Instant created, java.time.Instant updated) {
        decode(undecoded, true);
        chars.clear();
        decoder.flush(chars);
        chars.flip();
        escape(chars);
        append(split(EventJson.write(List.of(page(status, url, created, updated))))[1]);
    }

    private void decode(ByteBuffer in, boolean last) {
        while (true) {
            chars.clear();
            var result = decoder.decode(in, chars, last);
            chars.flip();
            escape(chars);
            if (!result.isOverflow()) {
                return;
            }
        }
    }

    private static ResultPage page(int status, String url, java.time.Instant created, java.time.Instant updated) {
        return new ResultPage(TextNode.valueOf(MARK), status, url, 1, created, updated, null, null);
    }

    /** The JSON before the content's text (its opening quote included) and after it (its closing quote on). */
    private static byte[][] split(byte[] json) {
        byte[] mark = MARK.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + mark.length <= json.length; i++) {
            if (Arrays.equals(json, i, i + mark.length, mark, 0, mark.length)) {
                return new byte[][] {
                    Arrays.copyOfRange(json, 0, i), Arrays.copyOfRange(json, i + mark.length, json.length)
                };
            }
        }
        throw new IllegalStateException("the page's JSON lost its content marker");
    }

    /**
     * Jackson's default string escaping: quote, backslash and control characters; a surrogate (each half of a pair)
     * as {@code \\uXXXX}, as Jackson writes characters outside the BMP; the rest as UTF-8.
     */
    private void escape(CharBuffer text) {
        while (text.hasRemaining()) {
            char c = text.get();
            if (c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate(c)) {
                ensure(6);
                out[length++] = '\\';
                switch (c) {
                    case '"' -> out[length++] = '"';
                    case '\\' -> out[length++] = '\\';
                    case '\b' -> out[length++] = 'b';
                    case '\t' -> out[length++] = 't';
                    case '\f' -> out[length++] = 'f';
                    case '\n' -> out[length++] = 'n';
                    case '\r' -> out[length++] = 'r';
                    default -> {
                        out[length++] = 'u';
                        out[length++] = HEX[c >> 12];
                        out[length++] = HEX[(c >> 8) & 0xF];
                        out[length++] = HEX[(c >> 4) & 0xF];
                        out[length++] = HEX[c & 0xF];
                    }
                }
            } else {
                utf8(c);
            }
        }
    }

    private void utf8(char c) {
        ensure(3);
        if (c < 0x80) {
            out[length++] = (byte) c;
        } else if (c < 0x800) {
            out[length++] = (byte) (0xC0 | (c >> 6));
            out[length++] = (byte) (0x80 | (c & 0x3F));
        } else {
            out[length++] = (byte) (0xE0 | (c >> 12));
            out[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            out[length++] = (byte) (0x80 | (c & 0x3F));
        }
    }

    private void append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, out, length, bytes.length);
        length += bytes.length;
    }

    private void ensure(int more) {
        if (length + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length + (out.length >> 2), length + more));
        }
    }
}
