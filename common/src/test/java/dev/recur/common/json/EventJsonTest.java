package dev.recur.common.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.recur.common.event.ResultsRef;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void shouldBeConfiguredForEventsWhenShared() {
        assertThat(EventJson.mapper().isEnabled(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES))
                .isFalse();
        assertThat(EventJson.mapper().isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS))
                .isFalse();
        assertThat(EventJson.mapper()).isSameAs(EventJson.mapper());
    }

    @Test
    void shouldWriteInstantsAsIsoStringsWhenNotAnnotated() {
        byte[] json = EventJson.write(Map.of("at", Instant.parse("2026-11-29T16:00:00Z")));

        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"at\":\"2026-11-29T16:00:00Z\"}");
    }

    @Test
    void shouldThrowUncheckedWhenBytesAreNotJson() {
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> EventJson.read(garbage, ResultsRef.class))
                .isInstanceOf(EventSerializationException.class)
                .hasMessageContaining("ResultsRef");
    }

    @Test
    void shouldThrowUncheckedWhenValueCannotBeWritten() {
        Object unserializable = new Object();

        assertThatThrownBy(() -> EventJson.write(unserializable)).isInstanceOf(EventSerializationException.class);
    }
}
