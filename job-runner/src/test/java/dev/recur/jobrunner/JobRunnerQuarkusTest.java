package dev.recur.jobrunner;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static dev.recur.jobrunner.DueRunTraffic.dueRun;
import static dev.recur.jobrunner.DueRunTraffic.item;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.BasicCredentials;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultPage;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.jobrunner.ScraperWireMockResource.InjectScraper;
import dev.recur.testinfra.Infra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(JobRunnerTestResources.class)
class JobRunnerQuarkusTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicLong NEXT_SCHEDULE = new AtomicLong(System.nanoTime() & 0xffffffffL);

    private static DueRunTraffic traffic;

    @jakarta.inject.Inject
    dev.recur.common.seal.CallbackSeal seal;

    @InjectScraper
    WireMockServer scraper;

    /** Prometheus metrics, on the management port. */
    @io.quarkus.test.common.http.TestHTTPResource(value = "metrics", management = true)
    java.net.URL metricsUrl;

    @BeforeAll
    static void connect() {
        traffic = new DueRunTraffic(Infra.kafka().bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        traffic.close();
    }

    private static long newScheduleId() {
        return NEXT_SCHEDULE.incrementAndGet() * 1_000_003L;
    }

    private void stubScraper(String query, int status, String body) {
        scraper.stubFor(post("/v1/queries")
                .withRequestBody(matchingJsonPath("$.query", equalTo(query)))
                .willReturn(aResponse()
                        .withStatus(status)
                        .withHeader("Content-Type", "application/json")
                        .withBody(body)));
    }

    /** The scraper answers the query with {@code first} once, then with its page. */
    private void stubScraperFirstThenPage(String query, ResponseDefinitionBuilder first) {
        String scenario = "scenario-" + query;
        scraper.stubFor(post("/v1/queries")
                .withRequestBody(matchingJsonPath("$.query", equalTo(query)))
                .inScenario(scenario)
                .whenScenarioStateIs(STARTED)
                .willSetStateTo("answered")
                .willReturn(first));
        scraper.stubFor(post("/v1/queries")
                .withRequestBody(matchingJsonPath("$.query", equalTo(query)))
                .inScenario(scenario)
                .whenScenarioStateIs("answered")
                .willReturn(aResponse().withStatus(200).withBody(pageFor(query))));
    }

    /** Runs one scraper item whose query the scraper answers with {@code status} and {@code body}. */
    private JobResult runAnswered(String query, String source, int status, String body) {
        stubScraper(query, status, body);
        return runOneItem(newScheduleId(), "bob", scraperItem(source, query));
    }

    /** Publishes a run of one item and waits for its only job result. */
    private static JobResult runOneItem(long scheduleId, String owner, String itemJson) {
        traffic.send(dueRun(scheduleId, owner, 0, 1, List.of(item(itemJson))));
        return traffic.awaitResults(scheduleId, 1, WAIT).get(0).result();
    }

    private static String scraperItem(String source, String query) {
        return "{\"source\": \"" + source + "\", \"query\": \"" + query + "\"}";
    }

    private static String fetcherItem(String url) {
        return "{\"source\": \"universal\", \"url\": \"" + url + "\"}";
    }

    private static String pageFor(String query) {
        return "{\"results\": [{\"content\": \"<html>" + query + "</html>\", \"created_at\": \"2026-11-28 18:00:00\","
                + " \"updated_at\": \"2026-11-28 18:00:03\", \"page\": 1, \"url\": \"https://shop.example/" + query
                + "\", \"job_id\": \"oxy-1\", \"status_code\": 200}], \"job\": {\"status\": \"done\"}}";
    }

    @Test
    void shouldPublishOneResultPerItemWithContractFieldsWhenDueRunSliceArrives() {
        long scheduleId = newScheduleId();
        String first = "q-" + scheduleId + "-a";
        String second = "q-" + scheduleId + "-b";
        stubScraper(first, 200, pageFor(first));
        stubScraper(second, 200, pageFor(second));
        var items = List.of(
                item("{\"source\": \"amazon_product\", \"query\": \"" + first + "\", \"parse\": false}"),
                item("{\"source\": \"amazon_product\", \"query\": \"" + second + "\"}"));
        DueRun run = dueRun(scheduleId, "alice", 10, 12, items);

        traffic.send(run);
        var received = traffic.awaitResults(scheduleId, 2, WAIT);

        for (int i = 0; i < 2; i++) {
            int itemIndex = 10 + i;
            var message = received.stream()
                    .filter(r -> r.result().itemIndex() == itemIndex)
                    .findFirst()
                    .orElseThrow();
            JobResult result = message.result();
            assertThat(message.key()).isEqualTo(Topics.key(scheduleId));
            assertThat(result.type()).isEqualTo("job_result");
            assertThat(result.version()).isEqualTo(1);
            assertThat(result.jobId()).isEqualTo(Ids.jobId(run.runId(), itemIndex));
            assertThat(result.scheduleId()).isEqualTo(scheduleId);
            assertThat(result.runId()).isEqualTo(run.runId());
            assertThat(result.owner()).isEqualTo("alice");
            assertThat(result.scheduledFor()).isEqualTo(run.scheduledFor());
            assertThat(result.item()).isEqualTo(items.get(i));
            assertThat(result.createStatusCode()).isEqualTo(200);
            assertThat(result.status()).isEqualTo(JobStatus.DONE);
            assertThat(result.error()).isNull();
            assertThat(result.backend()).isEqualTo("oxylabs");
            assertThat(result.attempts()).isEqualTo(1);
            assertThat(result.createdAt()).isNotNull().isBeforeOrEqualTo(result.updatedAt());
            assertThat(result.resultsRef()).isNull();
            String query = i == 0 ? first : second;
            assertThat(result.results()).singleElement().satisfies(page -> {
                assertThat(page.content().asText()).isEqualTo("<html>" + query + "</html>");
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.url()).isEqualTo("https://shop.example/" + query);
                assertThat(page.page()).isEqualTo(1);
            });
            var json = EventJson.read(message.json(), com.fasterxml.jackson.databind.JsonNode.class);
            assertThat(json.fieldNames())
                    .toIterable()
                    .containsExactlyInAnyOrder(
                            "type",
                            "version",
                            "job_id",
                            "schedule_id",
                            "run_id",
                            "owner",
                            "scheduled_for",
                            "item_index",
                            "item",
                            "create_status_code",
                            "status",
                            "backend",
                            "attempts",
                            "created_at",
                            "updated_at",
                            "results");
        }
        scraper.verify(
                2,
                postRequestedFor(urlEqualTo("/v1/queries"))
                        .withBasicAuth(
                                new BasicCredentials(ScraperWireMockResource.USER, ScraperWireMockResource.PASSWORD))
                        .withRequestBody(matchingJsonPath(
                                "$.query",
                                com.github.tomakehurst.wiremock.client.WireMock.matching("q-" + scheduleId + "-.*"))));
    }

    @Test
    void shouldExposeJobCountersLatencyAndInFlightWhenJobsHaveRun() {
        long scheduleId = newScheduleId();
        String query = "q-" + scheduleId;
        stubScraper(query, 200, pageFor(query));

        runOneItem(scheduleId, "carol", scraperItem("metrics_probe", query));

        String metrics = io.restassured.RestAssured.given()
                .get(metricsUrl)
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics)
                .contains("recur_jobrunner_jobs_started_total{source=\"metrics_probe\"} 1.0")
                .contains("recur_jobrunner_jobs_done_total{source=\"metrics_probe\"} 1.0")
                .contains("recur_jobrunner_scraper_latency_seconds_bucket{backend=\"oxylabs\"")
                .contains("recur_jobrunner_scraper_in_flight");
    }

    @Test
    void shouldRetryAndSucceedWhenScraperAnswers500ThenSuccess() {
        long scheduleId = newScheduleId();
        String query = "q-" + scheduleId;
        stubScraperFirstThenPage(query, aResponse().withStatus(500).withBody("{\"message\": \"internal\"}"));

        JobResult result = runOneItem(scheduleId, "bob", scraperItem("google", query));

        assertThat(result.status()).isEqualTo(JobStatus.DONE);
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.createStatusCode()).isEqualTo(200);
        assertThat(result.results()).hasSize(1);
    }

    @Test
    void shouldWaitForRetryAfterWhenScraperAnswers429() {
        long scheduleId = newScheduleId();
        String query = "q-" + scheduleId;
        stubScraperFirstThenPage(query, aResponse().withStatus(429).withHeader("Retry-After", "2"));

        JobResult result = runOneItem(scheduleId, "bob", scraperItem("google", query));

        assertThat(result.status()).isEqualTo(JobStatus.DONE);
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(Duration.between(result.createdAt(), result.updatedAt()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldFaultAtOnceWhenScraperAnswers400() {
        JobResult result = runAnswered("q-" + newScheduleId(), "bogus", 400, "{\"message\": \"Unsupported source\"}");

        assertThat(result.status()).isEqualTo(JobStatus.FAULTED);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.createStatusCode()).isEqualTo(400);
        assertThat(result.error()).contains("400").contains("Unsupported source");
        assertThat(result.results()).isEmpty();
        assertThat(result.backend()).isEqualTo("oxylabs");
    }

    @Test
    void shouldFaultAfterMaxAttemptsWhenScraperKeepsFailing() {
        String query = "q-" + newScheduleId();
        JobResult result = runAnswered(query, "google", 503, "{\"message\": \"down\"}");

        assertThat(result.status()).isEqualTo(JobStatus.FAULTED);
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(result.createStatusCode()).isEqualTo(503);
        assertThat(result.error()).contains("503").contains("gave up after 3 attempts");
        scraper.verify(
                3,
                postRequestedFor(urlEqualTo("/v1/queries"))
                        .withRequestBody(matchingJsonPath("$.query", equalTo(query))));
    }

    @Test
    void shouldFaultWithClearMessageWhenSourceHasNoBackend() {
        long scheduleId = newScheduleId();

        traffic.send(dueRun(
                scheduleId,
                "bob",
                0,
                2,
                List.of(item("{\"source\": \"premium\", \"query\": \"x\"}"), item("{\"query\": \"no source\"}"))));
        var received = traffic.awaitResults(scheduleId, 2, WAIT);

        assertThat(received).allSatisfy(r -> {
            assertThat(r.result().status()).isEqualTo(JobStatus.FAULTED);
            assertThat(r.result().backend()).isEqualTo("none");
            assertThat(r.result().createStatusCode()).isZero();
        });
        assertThat(received)
                .extracting(r -> r.result().error())
                .containsExactlyInAnyOrder(
                        "no scraper backend is configured for source 'premium'", "item has no source");
    }

    @Test
    void shouldStartNoJobBeforeNotBeforeWhenRunHasJitter() {
        long scheduleId = newScheduleId();
        String query = "q-" + scheduleId;
        stubScraper(query, 200, pageFor(query));
        DueRun plain = dueRun(scheduleId, "bob", 0, 1, List.of(item(scraperItem("google", query))));
        java.time.Instant notBefore = java.time.Instant.now().plusSeconds(2);
        DueRun jittered = DueRun.of(
                plain.runId(),
                scheduleId,
                "bob",
                plain.scheduledFor(),
                notBefore,
                false,
                0,
                1,
                0,
                1,
                plain.items(),
                java.time.Instant.now());

        traffic.send(jittered);
        JobResult result = traffic.awaitResults(scheduleId, 1, WAIT).get(0).result();

        assertThat(result.status()).isEqualTo(JobStatus.DONE);
        assertThat(result.createdAt()).isAfterOrEqualTo(notBefore);
    }

    @Test
    void shouldCopyTheRunsSkippedRunsIntoEachOfItsJobResults() {
        long scheduleId = newScheduleId();
        String query = "q-" + scheduleId;
        stubScraper(query, 200, pageFor(query));
        ObjectNode item = item(scraperItem("google", query));
        DueRun run = dueRun(scheduleId, "bob", 0, 2, List.of(item, item)).withSkippedRuns(4);

        traffic.send(run);

        assertThat(traffic.awaitResults(scheduleId, 2, WAIT))
                .extracting(r -> r.result().skippedRuns())
                .containsExactly(4, 4);
    }

    @Test
    void shouldFaultWithReasonWhenFetcherTargetIsRefused() {
        long scheduleId = newScheduleId();

        JobResult result =
                runOneItem(scheduleId, "mallory", fetcherItem("http://169.254.169.254/latest/meta-data/iam"));

        assertThat(result.status()).isEqualTo(JobStatus.FAULTED);
        assertThat(result.backend()).isEqualTo("http_fetcher");
        assertThat(result.error())
                .startsWith("refused target 169.254.169.254: ")
                .contains("recur.job-runner.fetcher.allow");
        assertThat(result.attempts()).isEqualTo(1);
    }

    @Test
    void shouldFetchUniversalItemWithBuiltInFetcherWhenItHasUrl() {
        long scheduleId = newScheduleId();
        scraper.stubFor(get("/page-" + scheduleId)
                .willReturn(aResponse().withStatus(200).withBody("hello")));
        String url = "http://127.0.0.1:" + scraper.port() + "/page-" + scheduleId;

        JobResult result = runOneItem(scheduleId, "bob", fetcherItem(url));

        assertThat(result.status()).isEqualTo(JobStatus.DONE);
        assertThat(result.backend()).isEqualTo("http_fetcher");
        assertThat(result.createStatusCode()).isEqualTo(200);
        assertThat(result.results()).singleElement().satisfies(page -> {
            assertThat(page.content().asText()).isEqualTo("hello");
            assertThat(page.url()).isEqualTo(url);
            assertThat(page.statusCode()).isEqualTo(200);
        });
    }

    @Test
    void shouldStoreResultsInBucketAndPublishReferenceWhenPageIs20Megabytes() throws Exception {
        long scheduleId = newScheduleId();
        byte[] body = new byte[20 * 1024 * 1024];
        Arrays.fill(body, (byte) 'a');
        body[0] = '<';
        body[body.length - 1] = '>';
        scraper.stubFor(
                get("/big-" + scheduleId).willReturn(aResponse().withStatus(200).withBody(body)));
        String url = "http://127.0.0.1:" + scraper.port() + "/big-" + scheduleId;
        DueRun run = dueRun(scheduleId, "bob", 0, 1, List.of(item(fetcherItem(url))));

        traffic.send(run);
        JobResult result = traffic.awaitResults(scheduleId, 1, WAIT).get(0).result();

        assertThat(result.status()).as(String.valueOf(result.error())).isEqualTo(JobStatus.DONE);
        assertThat(result.results()).isNull();
        long jobId = Ids.jobId(run.runId(), 0);
        var ref = result.resultsRef();
        assertThat(ref.bucket()).isEqualTo("recur-results");
        assertThat(ref.key()).isEqualTo("claims/" + jobId + ".json");
        assertThat(ref.contentType()).isEqualTo("application/json");
        byte[] stored;
        try (var s3 = Infra.s3().client()) {
            stored = s3.getObjectAsBytes(b -> b.bucket(ref.bucket()).key(ref.key()))
                    .asByteArray();
        }
        assertThat(stored.length).isEqualTo(ref.sizeBytes());
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)))
                .isEqualTo(ref.sha256());
        var mapper = EventJson.mapper().copy();
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE)
                        .build());
        List<ResultPage> pages = mapper.readValue(stored, new TypeReference<List<ResultPage>>() {});
        assertThat(pages).singleElement().satisfies(page -> {
            assertThat(page.content().asText()).isEqualTo(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(page.url()).isEqualTo(url);
        });
    }

    @Test
    void shouldPublishTheCallbackUrlRedactedWithItsTokensSealedForDeliveryOnly() {
        long scheduleId = newScheduleId();
        scraper.stubFor(get("/sealed-" + scheduleId)
                .willReturn(aResponse().withStatus(200).withBody("page")));
        String url = "http://127.0.0.1:" + scraper.port() + "/sealed-" + scheduleId;
        String token = "tok-" + scheduleId;
        String callback = "https://hooks.example.com/recur/" + scheduleId + "?token=" + token + "&tenant=acme";
        String plain = "https://hooks.example.com/plain/" + scheduleId;

        traffic.send(dueRun(
                scheduleId,
                "bob",
                0,
                2,
                List.of(
                        item("{\"source\": \"universal\", \"url\": \"" + url + "\", \"callback_url\": \"" + callback
                                + "\"}"),
                        item("{\"source\": \"universal\", \"url\": \"" + url + "\", \"callback_url\": \"" + plain
                                + "\"}"))));
        List<DueRunTraffic.Received> received = traffic.awaitResults(scheduleId, 2, WAIT);

        DueRunTraffic.Received withToken = received.stream()
                .filter(r -> r.result().itemIndex() == 0)
                .findFirst()
                .orElseThrow();
        // what any reader of the public topic sees: no token anywhere in the record
        assertThat(new String(withToken.json(), java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain(token);
        assertThat(withToken.result().item().get("callback_url").asText())
                .isEqualTo("https://hooks.example.com/recur/" + scheduleId + "?…");
        assertThat(withToken.result().item().get("url").asText()).isEqualTo(url);
        assertThat(withToken.result().sealedCallbackUrl()).startsWith("test.");
        // only the deployment's key opens the whole URL again
        assertThat(seal.open(withToken.result()).item().get("callback_url").asText())
                .isEqualTo(callback);
        // a URL without secret parts is published as it is
        JobResult plainResult = received.stream()
                .filter(r -> r.result().itemIndex() == 1)
                .findFirst()
                .orElseThrow()
                .result();
        assertThat(plainResult.item().get("callback_url").asText()).isEqualTo(plain);
        assertThat(plainResult.sealedCallbackUrl()).isNull();
    }
}
