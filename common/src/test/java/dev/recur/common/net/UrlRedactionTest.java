package dev.recur.common.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlRedactionTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "https://hooks.example.com/recur|https://hooks.example.com/recur",
                "https://user:pw@hooks.example.com:8443/r?token=s3cret#frag|https://hooks.example.com:8443/r?…",
                "http://hooks.example.com?sig=abc|http://hooks.example.com?…",
                "s3://bucket/prefix/?X-Amz-Signature=abc|s3://bucket/prefix/?…",
                "https://tok3n@hooks.example.com/r|https://hooks.example.com/r",
                "not a url with spaces?token=x|(not a URL)",
                "mailto:a@b.c|(not a URL)"
            })
    void shouldKeepSchemeHostPortAndPathOnlyWhenRedacted(String url, String expected) {
        assertThat(UrlRedaction.redact(url)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"https://a:b@h.example/p?t=1", "http://h.example/?t=secret"})
    void shouldReplaceTheUrlWhenQuotedInAMessage(String url) {
        assertThat(UrlRedaction.redactIn("cannot reach " + url + ": refused", url))
                .doesNotContain("t=")
                .doesNotContain("a:b")
                .startsWith("cannot reach http");
    }
}
