package dev.recur.jobrunner.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.recur.common.json.EventJson;
import dev.recur.jobrunner.config.JobRunnerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OxylabsScraperTest {

    static final String REALTIME_RESPONSE = """
            {"results": [{"content": "<html>hi</html>", "created_at": "2026-11-28 18:00:00",
              "updated_at": "2026-11-28 18:00:05", "page": 1, "url": "https://www.amazon.com/dp/B098FKXT8L",
              "job_id": "7346445033316311041", "status_code": 200, "parser_type": ""}],
             "job": {"id": "7346445033316311041", "status": "done"}}
            """;

    private static WireMockServer wireMock;
    private OxylabsScraper scraper;

    @BeforeAll
    static void startWireMock() {
        wireMock = new WireMockServer(options().dynamicPort());
        wireMock.start();
    }

    @AfterAll
    static void stopWireMock() {
        wireMock.stop();
    }

    @BeforeEach
    void reset() {
        wireMock.resetAll();
        scraper = new OxylabsScraper(
                URI.create(wireMock.baseUrl()), new OxylabsSettings(Duration.ofSeconds(15)), Clock.systemUTC());
    }

    @Test
    void shouldReturnPagesAndSendItemWithBasicAuthWhenScraperAnswers200() {
        wireMock.stubFor(post("/v1/queries")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(REALTIME_RESPONSE)));

        ScrapeOutcome outcome = call(scraper, item("{\"source\": \"amazon_product\", \"query\": \"B098FKXT8L\"}"));

        assertThat(outcome).isInstanceOf(ScrapeOutcome.Success.class);
        var success = (ScrapeOutcome.Success) outcome;
        assertThat(success.statusCode()).isEqualTo(200);
        assertThat(success.pages()).singleElement().satisfies(page -> {
            assertThat(page.content().asText()).isEqualTo("<html>hi</html>");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.url()).isEqualTo("https://www.amazon.com/dp/B098FKXT8L");
            assertThat(page.page()).isEqualTo(1);
            assertThat(page.jobId()).isEqualTo("7346445033316311041");
            assertThat(page.createdAt()).isEqualTo(java.time.Instant.parse("2026-11-28T18:00:00Z"));
            assertThat(page.updatedAt()).isEqualTo(java.time.Instant.parse("2026-11-28T18:00:05Z"));
        });
        wireMock.verify(postRequestedFor(urlEqualTo("/v1/queries"))
                .withBasicAuth(new com.github.tomakehurst.wiremock.client.BasicCredentials("user", "secret"))
                .withRequestBody(equalToJson("{\"source\": \"amazon_product\", \"query\": \"B098FKXT8L\"}")));
    }

    @Test
    void shouldNotSendRecursOwnDeliveryKeysToTheScraper() {
        wireMock.stubFor(post("/v1/queries")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(REALTIME_RESPONSE)));
        ObjectNode item = item("{\"source\": \"amazon_product\", \"query\": \"B098FKXT8L\", "
                + "\"callback_url\": \"https://hooks.example.com/r?token=s3cret\", \"storage_type\": \"s3\", "
                + "\"storage_url\": \"s3://team-bucket/prefix\"}");

        assertThat(call(scraper, item)).isInstanceOf(ScrapeOutcome.Success.class);

        wireMock.verify(postRequestedFor(urlEqualTo("/v1/queries"))
                .withRequestBody(equalToJson("{\"source\": \"amazon_product\", \"query\": \"B098FKXT8L\"}")));
        assertThat(item.has("callback_url"))
                .as("the job's own item is left as it is")
                .isTrue();
    }

    @Test
    void shouldKeepParsedObjectAsContentWhenParseIsTrue() {
        wireMock.stubFor(post("/v1/queries")
                .withRequestBody(equalToJson("{\"parse\": true}", true, true))
                .willReturn(aResponse().withStatus(200).withBody("""
                        {"results": [{"content": {"title": "Kettle", "price": 19.99, "parse_status_code": 12000},
                          "page": 1, "url": "https://example.com/p", "status_code": 200, "parser_type": "amazon"}]}
                        """)));

        var outcome = (ScrapeOutcome.Success) call(scraper, item("{\"source\": \"amazon_product\", \"parse\": true}"));

        var content = outcome.pages().get(0).content();
        assertThat(content.isObject()).isTrue();
        assertThat(content.get("title").asText()).isEqualTo("Kettle");
        assertThat(content.get("price").asDouble()).isEqualTo(19.99);
        assertThat(outcome.pages().get(0).parserType()).isEqualTo("amazon");
    }

    @Test
    void shouldReturnWholeContentWhenScraperAnswersWith20MegabytePage() {
        char[] html = new char[21 * 1024 * 1024];
        java.util.Arrays.fill(html, 'h');
        String content = new String(html);
        wireMock.stubFor(post("/v1/queries")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withBody("{\"results\": [{\"content\": \"" + content
                                + "\", \"page\": 1, \"status_code\": 200}]}")));

        var outcome = (ScrapeOutcome.Success) call(scraper, item("{\"source\": \"universal\", \"url\": \"x\"}"));

        assertThat(outcome.pages().get(0).content().asText()).isEqualTo(content);
    }

    @Test
    void shouldFailPermanentlyWithTheProblemsWhenScraperAnswers400() {
        wireMock.stubFor(post("/v1/queries")
                .willReturn(aResponse()
                        .withStatus(400)
                        .withBody("{\"message\": \"Unsupported source\", \"errors\": [\"source: bad value\"]}")));

        var failure = (ScrapeOutcome.Failure) call(scraper, item("{\"source\": \"nope\"}"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.statusCode()).isEqualTo(400);
        assertThat(failure.reason())
                .contains("400")
                .contains("Unsupported source")
                .contains("source: bad value");
    }

    @Test
    void shouldFailPermanentlyWhenScraperAnswers401() {
        wireMock.stubFor(post("/v1/queries")
                .willReturn(aResponse().withStatus(401).withBody("{\"message\": \"Unauthorized\"}")));

        var failure = (ScrapeOutcome.Failure) call(scraper, item("{\"source\": \"google\"}"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.statusCode()).isEqualTo(401);
        assertThat(failure.reason()).contains("Unauthorized");
    }

    @Test
    void shouldBeRetryableWithTheAskedWaitWhenScraperAnswers429WithRetryAfter() {
        wireMock.stubFor(post("/v1/queries")
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "3")
                        .withBody("{\"message\": \"Too many requests\"}")));

        var failure = (ScrapeOutcome.Failure) call(scraper, item("{\"source\": \"google\"}"));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.statusCode()).as(failure.reason()).isEqualTo(429);
        assertThat(failure.retryAfter()).contains(Duration.ofSeconds(3));
    }

    @Test
    void shouldBeRetryableWhenScraperAnswers500Or524() {
        wireMock.stubFor(post("/v1/queries").willReturn(aResponse().withStatus(500)));
        var internal = (ScrapeOutcome.Failure) call(scraper, item("{\"source\": \"google\"}"));
        wireMock.stubFor(post("/v1/queries").willReturn(aResponse().withStatus(524)));
        var timeout = (ScrapeOutcome.Failure) call(scraper, item("{\"source\": \"google\"}"));

        assertThat(internal.retryable()).isTrue();
        assertThat(internal.statusCode()).isEqualTo(500);
        assertThat(timeout.retryable()).isTrue();
        assertThat(timeout.statusCode()).isEqualTo(524);
    }

    @Test
    void shouldBeRetryableWithStatusZeroWhenScraperIsTooSlow() {
        wireMock.stubFor(post("/v1/queries")
                .willReturn(aResponse().withStatus(200).withFixedDelay(5_000).withBody(REALTIME_RESPONSE)));
        var impatient = new OxylabsScraper(
                URI.create(wireMock.baseUrl()), new OxylabsSettings(Duration.ofSeconds(1)), Clock.systemUTC());

        var failure = (ScrapeOutcome.Failure) call(impatient, item("{\"source\": \"google\"}"));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.statusCode()).isZero();
        assertThat(failure.reason()).contains("did not answer");
    }

    @Test
    void shouldFailPermanentlyAsMalformedWhenBodyIsGarbage() {
        wireMock.stubFor(
                post("/v1/queries").willReturn(aResponse().withStatus(200).withBody("<html>oops")));
        var garbage = (ScrapeOutcome.Failure) call(scraper, item("{\"source\": \"google\"}"));
        wireMock.stubFor(
                post("/v1/queries").willReturn(aResponse().withStatus(200).withBody("{\"job\": {}}")));
        var noResults = (ScrapeOutcome.Failure) call(scraper, item("{\"source\": \"google\"}"));

        assertThat(garbage.retryable()).isFalse();
        assertThat(garbage.reason()).startsWith("malformed scraper response");
        assertThat(noResults.retryable()).isFalse();
        assertThat(noResults.reason()).isEqualTo("malformed scraper response: no results array");
    }

    @Test
    void shouldBeRetryableWhenScraperCannotBeReached() {
        var closed = new OxylabsScraper(
                URI.create("http://127.0.0.1:1"), new OxylabsSettings(Duration.ofSeconds(1)), Clock.systemUTC());

        var failure = (ScrapeOutcome.Failure) call(closed, item("{\"source\": \"google\"}"));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.statusCode()).isZero();
    }

    /** Runs the item and waits for the outcome of the asynchronous call. */
    static ScrapeOutcome call(ScraperBackend backend, ObjectNode item) {
        return backend.scrape(item).toCompletableFuture().join();
    }

    static ObjectNode item(String json) {
        return (ObjectNode) EventJson.read(json.getBytes(), com.fasterxml.jackson.databind.JsonNode.class);
    }

    record OxylabsSettings(Duration timeout) implements JobRunnerConfig.Oxylabs {
        @Override
        public Optional<URI> baseUrl() {
            return Optional.empty();
        }

        @Override
        public Optional<String> username() {
            return Optional.of("user");
        }

        @Override
        public Optional<String> password() {
            return Optional.of("secret");
        }

        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(1);
        }
    }
}
