package dev.recur.jobrunner;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static dev.recur.jobrunner.DueRunTraffic.dueRun;
import static dev.recur.jobrunner.DueRunTraffic.item;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.recur.common.event.JobStatus;
import dev.recur.jobrunner.ScraperWireMockResource.InjectScraper;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.trace.TestTracing;
import dev.recur.testinfra.trace.TracedProfile;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * With tracing on, a job is a trace of its own: a {@code recur.job} span linked to the run's span (whose context
 * the due run's record carried), a span per scraper call under it, and its context in the result record's
 * {@code traceparent} header, for delivery.
 */
@QuarkusTest
@TestProfile(TracedProfile.class)
@QuarkusTestResource(JobRunnerTestResources.class)
class TracingQuarkusTest {

    /** The ticker's run span, as its record header. */
    private static final String RUN = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @InjectScraper
    WireMockServer scraper;

    @Test
    void shouldTraceEachJobLinkedToItsRunWithASpanPerScraperCallAndCarryItOnInTheResult() {
        long scheduleId = System.nanoTime() & 0xffffffffL;
        String query = "traced-" + scheduleId;
        scraper.stubFor(post("/v1/queries")
                .withRequestBody(matchingJsonPath("$.query", equalTo(query)))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"results\": [{\"content\": \"<html/>\", \"page\": 1, \"status_code\": 200}]}")));
        scraper.stubFor(get("/traced/" + scheduleId)
                .willReturn(aResponse().withStatus(200).withBody("<html/>")));

        List<DueRunTraffic.Received> received;
        try (DueRunTraffic traffic = new DueRunTraffic(Infra.kafka().bootstrapServers())) {
            traffic.send(
                    dueRun(
                            scheduleId,
                            "alice",
                            0,
                            2,
                            List.of(
                                    item("{\"source\": \"amazon_product\", \"query\": \"" + query + "\"}"),
                                    item("{\"source\": \"universal\", \"url\": \"" + scraper.baseUrl() + "/traced/"
                                            + scheduleId + "\"}"))),
                    RUN);
            received = traffic.awaitResults(scheduleId, 2, Duration.ofSeconds(60));
        }

        for (DueRunTraffic.Received result : received) {
            assertThat(result.result().status()).isEqualTo(JobStatus.DONE);
            SpanData job = jobSpan(result.result().jobId());
            assertThat(job.getParentSpanContext().isValid())
                    .as("a job starts a trace of its own")
                    .isFalse();
            assertThat(job.getTraceId()).isNotEqualTo(TestTracing.traceId(RUN));
            assertThat(job.getLinks()).singleElement().satisfies(link -> {
                assertThat(link.getSpanContext().getTraceId()).isEqualTo(TestTracing.traceId(RUN));
                assertThat(link.getSpanContext().getSpanId()).isEqualTo(TestTracing.spanId(RUN));
            });
            List<SpanData> calls = TestTracing.SPANS.getFinishedSpanItems().stream()
                    .filter(s -> s.getParentSpanId().equals(job.getSpanId()))
                    .toList();
            assertThat(calls).singleElement().satisfies(call -> {
                assertThat(call.getName()).isEqualTo("scrape " + result.result().backend());
                assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
                assertThat(call.getTraceId()).isEqualTo(job.getTraceId());
                assertThat(call.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
                        .isEqualTo(200L);
            });
            assertThat(result.traceparent())
                    .as("the result's traceparent header")
                    .isNotNull();
            assertThat(TestTracing.traceId(result.traceparent())).isEqualTo(job.getTraceId());
            assertThat(TestTracing.spanId(result.traceparent())).isEqualTo(job.getSpanId());
        }
        assertThat(received).extracting(r -> r.result().backend()).containsExactlyInAnyOrder("oxylabs", "http_fetcher");
        // neither the scraper API nor a fetched site is told about the deployment's traces
        assertThat(scraper.getAllServeEvents())
                .isNotEmpty()
                .allSatisfy(e ->
                        assertThat(e.getRequest().containsHeader("traceparent")).isFalse());
    }

    private static SpanData jobSpan(long jobId) {
        return TestTracing.SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("recur.job")
                        && Long.valueOf(jobId).equals(s.getAttributes().get(AttributeKey.longKey("recur.job_id"))))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no span of job " + jobId + " among " + TestTracing.SPANS.getFinishedSpanItems()));
    }
}
