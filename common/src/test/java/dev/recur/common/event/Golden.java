package dev.recur.common.event;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.json.EventJson;

/** The hand-written golden files under {@code src/test/resources/events}. */
final class Golden {

    private Golden() {}

    static byte[] bytes(String file) {
        try (InputStream in = Golden.class.getResourceAsStream("/events/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no golden file " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode tree(String file) {
        return (ObjectNode) tree(bytes(file));
    }

    static JsonNode tree(byte[] json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
