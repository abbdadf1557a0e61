package dev.recur.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiTimeTest {

    @ParameterizedTest
    @CsvSource({
        "2032-12-01 16:00:00, 2032-12-01T16:00:00Z",
        "2028-02-29 23:59:59, 2028-02-29T23:59:59Z",
        "1970-01-01 00:00:00, 1970-01-01T00:00:00Z",
    })
    void shouldParseAsUtcWhenFormatIsExact(String text, String expected) {
        assertThat(ApiTime.parse(text)).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2032-02-30 00:00:00", "2027-02-29 00:00:00", "2032-13-01 00:00:00", "2032-12-01 24:00:00",
                "2032-12-01 23:60:00", "2032-12-01 23:59:60", "2032-2-3 1:2:3", "2032-12-01T16:00:00",
                "2032-12-01 16:00:00Z", "2032-12-01 16:00:00 ", " 2032-12-01 16:00:00", "2032-12-01 16:00",
                "2032-12-01", "2032-12-01 16:00:00.000", "", "tomorrow",
            })
    void shouldRejectWhenTextIsNotAnExactValidTime(String text) {
        assertThatThrownBy(() -> ApiTime.parse(text))
                .isInstanceOf(InvalidTimeException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("YYYY-MM-DD HH:MM:SS");
    }

    @Test
    void shouldRejectWhenTextIsNull() {
        assertThatThrownBy(() -> ApiTime.parse(null))
                .isInstanceOf(InvalidTimeException.class)
                .hasMessageContaining("YYYY-MM-DD HH:MM:SS");
    }

    @Test
    void shouldFormatInUtcWhenInstantHasFractions() {
        assertThat(ApiTime.format(Instant.parse("2026-11-29T16:00:09.999Z"))).isEqualTo("2026-11-29 16:00:09");
    }

    @Test
    void shouldReadWhatItWritesWhenRoundTripping() {
        Instant time = Instant.parse("2026-11-28T17:40:00Z");

        assertThat(ApiTime.parse(ApiTime.format(time))).isEqualTo(time);
    }
}
