package dev.recur.common.json;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** The JSON form of Recur's events, shared by every producer and consumer outside a Quarkus-managed mapper. */
public final class EventJson {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private EventJson() {}

    /** The shared, thread-safe mapper; reconfiguring it would change every event, so {@code copy()} it first. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new EventSerializationException(
                    "cannot write " + event.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new EventSerializationException("cannot read " + type.getSimpleName() + " from JSON", e);
        }
    }
}
