package dev.recur.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.StreamSupport;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.recur.common.event.Topics;
import dev.recur.common.time.ApiTime;

/**
 * Issue 6: the four services as real processes on real Kafka, PostgreSQL and S3, driven only through the REST
 * API and observed only from outside (S3 objects, callbacks received, the results topic), as a user would.
 * Real minutes pass: the schedules fire at {@code * * * * *}; the three scenarios share the same minutes.
 */
// Not yet run green: excluded from the default build until it is (see issues 6 and 7).
@org.junit.jupiter.api.Tag("e2e")
class SystemIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String SECRET = "e2e-signing-secret";
    private static final String USER_BUCKET = "e2e-user-bucket";

    private static WireMockServer outside;
    private static LocalRecur recur;
    private static String auth;
    private static final Map<Long, JsonNode> resultsOnTopic = new ConcurrentHashMap<>();
    private static Thread topicReader;

    @BeforeAll
    static void start() {
        outside = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        outside.start();
        String realtime = "{\"results\":[{\"content\":{\"title\":\"Echo Dot\",\"price\":49.99},\"status_code\":200,"
                + "\"url\":\"https://www.amazon.com/dp/B098FKXT8L\",\"page\":1,\"created_at\":\"2026-11-29 16:00:02\","
                + "\"updated_at\":\"2026-11-29 16:00:08\",\"job_id\":\"7346445033316311041\",\"parser_type\":\"amazon_product\"}],"
                + "\"job\":{\"id\":\"7346445033316311041\",\"status\":\"done\"}}";
        outside.stubFor(post(urlPathEqualTo("/v1/queries")).withRequestBody(containing("amazon_product"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(realtime)));
        outside.stubFor(post(urlPathEqualTo("/v1/queries")).withRequestBody(containing("always_failing"))
                .willReturn(aResponse().withStatus(500).withBody("{\"message\":\"internal\"}")));
        outside.stubFor(get(urlPathEqualTo("/page")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html><body>e2e page</body></html>")));
        outside.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(200)));

        Map<String, String> props = new HashMap<>();
        props.put("recur.job-runner.oxylabs.base-url", outside.baseUrl());
        props.put("recur.job-runner.oxylabs.username", "scraper-user");
        props.put("recur.job-runner.oxylabs.password", "scraper-pass");
        props.put("recur.job-runner.fetcher.allow", "127.0.0.1/32");
        props.put("recur.job-runner.retry.max-attempts", "3");
        props.put("recur.job-runner.retry.initial-backoff", "PT0.2S");
        props.put("recur.delivery.callback.allowed-networks", "127.0.0.1/32");
        props.put("recur.delivery.callback.signing-secret", SECRET);
        recur = RecurSystem.get(props);
        recur.s3().createBucket(USER_BUCKET);
        auth = RecurSystem.basic(RecurSystem.ALICE, RecurSystem.PASSWORD);
        topicReader = new Thread(SystemIT::readResultsTopic, "e2e-results-reader");
        topicReader.setDaemon(true);
        topicReader.start();
    }

    @AfterAll
    static void stop() {
        if (topicReader != null) {
            topicReader.interrupt();
        }
        if (outside != null) {
            outside.stop();
        }
    }

    @Test
    void shouldRunDeliverAndCountEveryJobAndHonourStateAndEndTimeWhenDrivenThroughTheApi() throws Exception {
        // early in a minute, so that every schedule reaches the ticker before the next minute begins
        await().atMost(Duration.ofSeconds(70)).pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().atZone(java.time.ZoneOffset.UTC).getSecond() < 30);
        Instant created = Instant.now();
        long main = create("* * * * *", "[" + String.join(",",
                "{\"source\":\"amazon_product\",\"query\":\"B098FKXT8L\",\"parse\":true,\"callback_url\":\""
                        + outside.baseUrl() + "/hook\",\"storage_type\":\"s3\",\"storage_url\":\"s3://" + USER_BUCKET + "/e2e\"}",
                "{\"source\":\"universal\",\"url\":\"" + outside.baseUrl() + "/page\",\"storage_type\":\"s3\","
                        + "\"storage_url\":\"s3://" + USER_BUCKET + "/universal\"}",
                "{\"source\":\"always_failing\",\"query\":\"x\"}") + "]",
                ApiTime.format(created.plus(1, ChronoUnit.DAYS)));
        // ends with the second matching minute after now: exactly two runs, end_time inclusive
        Instant firstMinute = created.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant endTime = firstMinute.plus(1, ChronoUnit.MINUTES);
        long ending = create("* * * * *", "[{\"source\":\"universal\",\"url\":\"" + outside.baseUrl() + "/page\"}]",
                ApiTime.format(endTime));
        long paused = create("* * * * *", "[{\"source\":\"universal\",\"url\":\"" + outside.baseUrl() + "/page\"}]",
                ApiTime.format(created.plus(1, ChronoUnit.DAYS)));

        // the first run of the main schedule, fully delivered
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode run = firstRun(main);
            assertThat(run.path("jobs")).hasSize(3);
            assertThat(run.path("jobs").findValuesAsText("result_status")).containsExactlyInAnyOrder("done", "done", "faulted");
        });
        JsonNode run = firstRun(main);
        List<Long> jobIds = StreamSupport.stream(run.path("jobs").spliterator(), false).map(j -> j.path("id").asLong()).toList();
        long amazonJob = jobWithSource(jobIds, "amazon_product");
        long universalJob = jobWithSource(jobIds, "universal");
        long failingJob = jobWithSource(jobIds, "always_failing");

        // S3 objects with the right keys and content
        String amazonObject = recur.s3().client().getObjectAsBytes(b -> b.bucket(USER_BUCKET).key("e2e/" + amazonJob + ".json"))
                .asUtf8String();
        assertThat(JSON.readTree(amazonObject).path("results").get(0).path("content").path("title").asText()).isEqualTo("Echo Dot");
        String universalObject = recur.s3().client()
                .getObjectAsBytes(b -> b.bucket(USER_BUCKET).key("universal/" + universalJob + ".json")).asUtf8String();
        assertThat(JSON.readTree(universalObject).path("results").get(0).path("content").asText()).contains("e2e page");

        // the callback, signed
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(callbacksFor(amazonJob)).isNotEmpty());
        LoggedRequest callback = callbacksFor(amazonJob).get(0);
        assertThat(callback.getHeader("X-Recur-Schedule-Id")).isEqualTo(Long.toString(main));
        assertThat(callback.getHeader("X-Recur-Signature")).isEqualTo("sha256=" + hmac(callback.getBody()));
        JsonNode callbackBody = JSON.readTree(callback.getBodyAsString());
        assertThat(callbackBody.path("id").asLong()).isEqualTo(amazonJob);
        assertThat(callbackBody.path("status").asText()).isEqualTo("done");

        // results through the API, and the job object
        JsonNode results = JSON.readTree(api("GET", "/v1/queries/" + amazonJob + "/results", null).body());
        assertThat(results.path("results").get(0).path("content").path("price").asDouble()).isEqualTo(49.99);
        JsonNode failing = JSON.readTree(api("GET", "/v1/queries/" + failingJob, null).body());
        assertThat(failing.path("status").asText()).isEqualTo("faulted");

        // stats equal what was delivered
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode jobs = JSON.readTree(api("GET", "/v1/schedules/" + main + "/jobs", null).body()).path("jobs");
            JsonNode stats = JSON.readTree(api("GET", "/v1/schedules/" + main, null).body()).path("stats");
            long done = StreamSupport.stream(jobs.spliterator(), false).filter(j -> j.path("result_status").asText().equals("done")).count();
            assertThat(stats.path("total_job_count").asLong()).isEqualTo(jobs.size());
            assertThat(outcome(stats.path("job_result_outcomes"), "status", "done")).isEqualTo(done);
            assertThat(outcome(stats.path("job_result_outcomes"), "status", "faulted")).isEqualTo(jobs.size() - done);
        });

        // every result on the public topic, with the documented fields
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(resultsOnTopic.keySet()).containsAll(jobIds));
        for (long id : jobIds) {
            JsonNode message = resultsOnTopic.get(id);
            assertThat(message.path("type").asText()).isEqualTo("job_result");
            assertThat(message.path("schedule_id").asLong()).isEqualTo(main);
            for (String field : List.of("job_id", "run_id", "owner", "scheduled_for", "item_index", "item",
                    "create_status_code", "status", "created_at", "updated_at")) {
                assertThat(message.has(field)).as(field).isTrue();
            }
            assertThat(message.has("results") ^ message.has("results_ref")).isTrue();
        }

        // pause after the first run; no run while paused; runs resume after reactivation
        await().atMost(Duration.ofSeconds(120)).until(() -> runCount(paused) >= 1);
        assertThat(api("PUT", "/v1/schedules/" + paused + "/state", "{\"active\":false}").statusCode()).isEqualTo(202);
        Instant pausedAt = Instant.now();
        // a run published before the deactivation may still be on its way into the history
        await().pollDelay(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(20)).until(() -> true);
        int runsWhenPaused = runCount(paused);

        // the ending schedule: exactly its two runs, then nothing; next_run_at null
        await().atMost(Duration.ofSeconds(150)).until(() -> runCount(ending) >= 2);
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(90))
                .until(() -> Instant.now().isAfter(endTime.plus(70, ChronoUnit.SECONDS)));
        assertThat(runCount(ending)).isEqualTo(2);
        assertThat(JSON.readTree(api("GET", "/v1/schedules/" + ending, null).body()).path("next_run_at").isNull()).isTrue();

        assertThat(Duration.between(pausedAt, Instant.now())).isGreaterThan(Duration.ofSeconds(60));
        assertThat(runCount(paused)).as("runs while inactive").isEqualTo(runsWhenPaused);
        assertThat(api("PUT", "/v1/schedules/" + paused + "/state", "{\"active\":true}").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(90)).until(() -> runCount(paused) > runsWhenPaused);
        System.out.printf("[system] main jobs %s; ending runs %d; paused runs %d -> %d%n", jobIds, runCount(ending),
                runsWhenPaused, runCount(paused));
    }

    private static long create(String cron, String items, String endTime) throws Exception {
        HttpResponse<String> r = api("POST", "/v1/schedules",
                "{\"cron\":\"" + cron + "\",\"items\":" + items + ",\"end_time\":\"" + endTime + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("schedule_id").asLong();
    }

    private static JsonNode firstRun(long scheduleId) throws Exception {
        JsonNode runs = JSON.readTree(api("GET", "/v1/schedules/" + scheduleId + "/runs", null).body()).path("runs");
        assertThat(runs.size()).isGreaterThan(0);
        return runs.get(runs.size() - 1);
    }

    private static int runCount(long scheduleId) throws Exception {
        return JSON.readTree(api("GET", "/v1/schedules/" + scheduleId + "/runs", null).body()).path("runs").size();
    }

    private static long jobWithSource(List<Long> jobIds, String source) throws Exception {
        for (long id : jobIds) {
            if (JSON.readTree(api("GET", "/v1/queries/" + id, null).body()).path("source").asText().equals(source)) {
                return id;
            }
        }
        throw new AssertionError("no job with source " + source + " among " + jobIds);
    }

    private static long outcome(JsonNode outcomes, String key, String value) {
        for (JsonNode o : outcomes) {
            if (o.path(key).asText().equals(value)) {
                return o.path("job_count").asLong();
            }
        }
        return 0;
    }

    private static List<LoggedRequest> callbacksFor(long jobId) {
        return outside.findAll(postRequestedFor(urlPathEqualTo("/hook"))).stream()
                .filter(r -> Long.toString(jobId).equals(r.getHeader("X-Recur-Job-Id"))).toList();
    }

    private static String hmac(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static HttpResponse<String> api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(recur.apiBaseUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", auth);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void readResultsTopic() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, recur.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-outside-consumer");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(Set.of(Topics.JOB_RESULTS));
            while (!Thread.currentThread().isInterrupted()) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        JsonNode message = JSON.readTree(record.value());
                        resultsOnTopic.put(message.path("job_id").asLong(), message);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // test over
        }
    }
}
