package dev.recur.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.time.ApiTime;
import dev.recur.testinfra.gcs.GcsEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The four services as real processes on real Kafka, PostgreSQL, S3 and the GCS emulator, driven only
 * through the REST API and observed only from outside (bucket objects, callbacks received, the results topic), as
 * a user would.
 * <p>
 * Real minutes pass, so the test is built around the two whole minutes after the schedules are created (t1 and
 * t2): it creates them early in a minute (second &lt; 40), so that the ticker has every change before t1, and
 * each state change it makes between t1 and t2 reaches the ticker tens of seconds before t2. What happens at
 * each minute is then fixed: no outcome depends on where in a minute the test started.
 */
@Tag("e2e")
class SystemIT {

    private static final String S3_BUCKET = "e2e-user-bucket";
    private static final String GCS_BUCKET = "e2e-gcs-bucket";
    /** A minute's runs, from the tick to the last delivery, on a loaded 2-core machine. */
    private static final Duration RUN_PATIENCE = Duration.ofSeconds(90);
    /** How long a run that should not exist is given to show up, once the runs of the same tick have. */
    private static final Duration ABSENCE_PROOF = Duration.ofSeconds(5);

    private static LocalRecur recur;
    private static WireMockServer outside;
    private static RecurApi api;
    private static TopicRecorder results;

    @BeforeAll
    static void start() {
        recur = RecurSystem.get();
        outside = RecurSystem.outside();
        String realtime = "{\"results\":[{\"content\":{\"title\":\"Echo Dot\",\"price\":49.99},\"status_code\":200,"
                + "\"url\":\"https://www.amazon.com/dp/B098FKXT8L\",\"page\":1,\"created_at\":\"2026-11-29 16:00:02\","
                + "\"updated_at\":\"2026-11-29 16:00:08\",\"job_id\":\"7346445033316311041\",\"parser_type\":\"amazon_product\"}],"
                + "\"job\":{\"id\":\"7346445033316311041\",\"status\":\"done\"}}";
        outside.stubFor(post(urlPathEqualTo("/v1/queries"))
                .withBasicAuth(RecurSystem.SCRAPER_USER, RecurSystem.SCRAPER_PASSWORD)
                .withRequestBody(containing("amazon_product"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody(realtime)));
        outside.stubFor(post(urlPathEqualTo("/v1/queries"))
                .withRequestBody(containing("always_failing"))
                .willReturn(aResponse().withStatus(500).withBody("{\"message\":\"internal\"}")));
        outside.stubFor(get(urlPathEqualTo("/page"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/html")
                        .withBody("<html><body>e2e page</body></html>")));
        outside.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        recur.s3().createBucket(S3_BUCKET);
        api = RecurSystem.api(RecurSystem.ALICE);
        results = new TopicRecorder(recur.kafka().bootstrapServers(), Topics.JOB_RESULTS);
    }

    @AfterAll
    static void stop() {
        if (results != null) {
            results.close();
        }
    }

    @Test
    void shouldRunDeliverAndCountEveryJobAndHonourStateAndEndTimeWhenDrivenThroughTheApi() throws Exception {
        await().atMost(Duration.ofSeconds(25))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> Instant.now().atZone(ZoneOffset.UTC).getSecond() < 40);
        Instant created = Instant.now();
        Instant t1 = created.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        Instant t2 = t1.plus(1, ChronoUnit.MINUTES);
        String inADay = ApiTime.format(created.plus(1, ChronoUnit.DAYS));
        String page = "{\"source\":\"universal\",\"url\":\"" + RecurSystem.outsideUrl() + "/page\"}";

        long main = create(
                "* * * * *",
                "["
                        + String.join(
                                ",",
                                "{\"source\":\"amazon_product\",\"query\":\"B098FKXT8L\",\"parse\":true,\"callback_url\":\""
                                        + RecurSystem.outsideUrl()
                                        + "/hook\",\"storage_type\":\"s3\",\"storage_url\":\"s3://" + S3_BUCKET
                                        + "/amazon\"}",
                                "{\"source\":\"universal\",\"url\":\"" + RecurSystem.outsideUrl()
                                        + "/page\",\"storage_type\":\"gcs\"," + "\"storage_url\":\"gs://" + GCS_BUCKET
                                        + "/universal\"}",
                                "{\"source\":\"always_failing\",\"query\":\"x\"}")
                        + "]",
                inADay);
        // end_time inclusive: on a fire time (t1), and one minute ahead (between t1 and t2): one run each
        long endsAtT1 = create("* * * * *", "[" + page + "]", ApiTime.format(t1));
        long endsInAMinute = create("* * * * *", "[" + page + "]", ApiTime.format(created.plus(1, ChronoUnit.MINUTES)));
        // runs at t1, deactivated before t2
        long toggled = create("* * * * *", "[" + page + "]", inADay);
        // inactive at t1, reactivated before t2
        long paused = create("* * * * *", "[" + page + "]", inADay);
        assertThat(api.send("PUT", "/v1/schedules/" + paused + "/state", "{\"active\":false}")
                        .status())
                .isEqualTo(202);
        assertThat(api.get("/v1/schedules/" + paused).path("next_run_at").isNull())
                .isTrue();
        assertThat(api.get("/v1/schedules/" + main).path("next_run_at").asText())
                .isEqualTo(ApiTime.format(t1));
        System.out.printf("[system] schedules created at %s; t1 %s, t2 %s%n", created, t1, t2);

        // t1: every active schedule runs once, the paused one does not
        List<Long> mainJobs = jobIds(main, t1, 3);
        awaitResults(t1, mainJobs, jobIds(endsAtT1, t1, 1), jobIds(endsInAMinute, t1, 1), jobIds(toggled, t1, 1));
        assertThat(api.send("PUT", "/v1/schedules/" + toggled + "/state", "{\"active\":false}")
                        .status())
                .isEqualTo(202);
        assertNoRunAt(t1, paused);
        assertThat(api.send("PUT", "/v1/schedules/" + paused + "/state", "{\"active\":true}")
                        .status())
                .isEqualTo(202);
        assertThat(api.get("/v1/schedules/" + paused).path("next_run_at").asText())
                .isEqualTo(ApiTime.format(t2));
        System.out.printf("[system] t1 delivered by %s; toggled deactivated, paused reactivated%n", Instant.now());

        checkFirstRunOfMain(main, t1, mainJobs);

        // t2: main and the reactivated schedule run; the deactivated and the ended ones do not
        List<Long> mainJobsAtT2 = jobIds(main, t2, 3);
        awaitResults(t2, mainJobsAtT2, jobIds(paused, t2, 1));
        assertThat(api.send("PUT", "/v1/schedules/" + main + "/state", "{\"active\":false}")
                        .status())
                .isEqualTo(202);
        assertNoRunAt(t2, toggled, endsAtT1, endsInAMinute);
        System.out.printf("[system] t2 delivered by %s%n", Instant.now());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(runTimes(main)).containsExactly(ApiTime.format(t2), ApiTime.format(t1));
            assertThat(runTimes(paused)).containsExactly(ApiTime.format(t2));
        });
        for (long once : List.of(endsAtT1, endsInAMinute, toggled)) {
            assertThat(runTimes(once)).as("runs of %d", once).containsExactly(ApiTime.format(t1));
            assertThat(api.get("/v1/schedules/" + once).path("next_run_at").isNull())
                    .isTrue();
        }
        assertThat(api.send("PUT", "/v1/schedules/" + endsAtT1 + "/state", "{\"active\":false}")
                        .status())
                .isEqualTo(202);
        RecurApi.Response reactivated = api.send("PUT", "/v1/schedules/" + endsAtT1 + "/state", "{\"active\":true}");
        assertThat(reactivated.status())
                .as("reactivating a schedule past its end_time: %s", reactivated)
                .isEqualTo(400);

        // stats equal what was delivered: 2 runs of 3 jobs, per create status and per result status
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode stats = api.get("/v1/schedules/" + main).path("stats");
            assertThat(stats.path("total_job_count").asLong()).isEqualTo(6);
            assertThat(outcomes(stats.path("job_result_outcomes"), "status"))
                    .isEqualTo(Map.of("done", 4L, "faulted", 2L));
            assertThat(outcomes(stats.path("job_create_outcomes"), "status_code"))
                    .isEqualTo(Map.of("200", 4L, "500", 2L));
            // the jobs of t1 and t2, once each; a run at t3 may already list its jobs as pending
            Set<Long> firstTwoRuns = Set.of(Ids.runId(main, t1), Ids.runId(main, t2));
            List<Long> jobs = StreamSupport.stream(
                            api.get("/v1/schedules/" + main + "/jobs")
                                    .path("jobs")
                                    .spliterator(),
                            false)
                    .filter(j -> firstTwoRuns.contains(j.path("run_id").asLong()))
                    .map(j -> j.path("id").asLong())
                    .toList();
            assertThat(jobs).containsExactlyInAnyOrderElementsOf(concat(mainJobs, mainJobsAtT2));
        });
        assertThat(results.unreadable()).isEmpty();
        assertThat(results.messages().stream()
                        .filter(m -> m.path("schedule_id").asLong() == main)
                        .count())
                .as("results of main on the topic")
                .isGreaterThanOrEqualTo(6);
        System.out.printf(
                "[system] main: 2 runs, 6 jobs (4 done, 2 faulted); ended/deactivated schedules: 1 run each;"
                        + " paused: 0 runs at t1, 1 at t2; %d results on %s%n",
                results.messages().size(), Topics.JOB_RESULTS);
    }

    /** The first run of the main schedule, in every place a user can look at it. */
    private static void checkFirstRunOfMain(long main, Instant t1, List<Long> jobs) throws Exception {
        long amazonJob = jobs.get(0);
        long universalJob = jobs.get(1);
        long failingJob = jobs.get(2);

        // /runs and /jobs
        JsonNode run = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> runAt(main, t1),
                        r -> r != null
                                && r.path("jobs").size() == 3
                                && !r.path("jobs")
                                        .findValuesAsText("result_status")
                                        .contains("pending"));
        assertThat(run.path("run_id").asLong()).isEqualTo(Ids.runId(main, t1));
        assertThat(run.path("jobs").findValuesAsText("id").stream()
                        .map(Long::parseLong)
                        .toList())
                .containsExactlyInAnyOrderElementsOf(jobs);
        Map<Long, JsonNode> byId = new HashMap<>();
        run.path("jobs").forEach(j -> byId.put(j.path("id").asLong(), j));
        assertThat(byId.get(amazonJob).path("result_status").asText())
                .as("%s", result(amazonJob))
                .isEqualTo("done");
        assertThat(byId.get(universalJob).path("result_status").asText())
                .as("%s", result(universalJob))
                .isEqualTo("done");
        assertThat(byId.get(failingJob).path("result_status").asText())
                .as("%s", result(failingJob))
                .isEqualTo("faulted");
        assertThat(byId.get(failingJob).path("create_status_code").asInt()).isEqualTo(500);

        // the S3 object and the GCS object, with the right keys and content
        String amazonObject = recur.s3()
                .client()
                .getObjectAsBytes(b -> b.bucket(S3_BUCKET).key("amazon/" + amazonJob + ".json"))
                .asUtf8String();
        assertThat(RecurApi.JSON
                        .readTree(amazonObject)
                        .path("results")
                        .get(0)
                        .path("content")
                        .path("title")
                        .asText())
                .isEqualTo("Echo Dot");
        try (Storage gcs = GcsEmulator.shared().client()) {
            byte[] universalObject = gcs.readAllBytes(BlobId.of(GCS_BUCKET, "universal/" + universalJob + ".json"));
            assertThat(RecurApi.JSON
                            .readTree(universalObject)
                            .path("results")
                            .get(0)
                            .path("content")
                            .asText())
                    .contains("e2e page");
        }

        // the callback, signed, with the job object
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(callbacksFor(amazonJob)).hasSize(1));
        LoggedRequest callback = callbacksFor(amazonJob).get(0);
        assertThat(callback.getHeader("X-Recur-Schedule-Id")).isEqualTo(Long.toString(main));
        assertThat(callback.getHeader("X-Recur-Scheduled-For")).isEqualTo(ApiTime.format(t1));
        String signature = callback.getHeader("X-Recur-Signature");
        assertThat(Signatures.verifies(signature, callback.getBody(), RecurSystem.SIGNING_SECRET))
                .as("X-Recur-Signature %s", signature)
                .isTrue();
        JsonNode callbackBody = RecurApi.JSON.readTree(callback.getBodyAsString());
        assertThat(callbackBody.path("id").asLong()).isEqualTo(amazonJob);
        assertThat(callbackBody.path("status").asText()).isEqualTo("done");
        assertThat(callbackBody.path("source").asText()).isEqualTo("amazon_product");
        assertThat(callbackBody.path("schedule_id").asLong()).isEqualTo(main);
        assertThat(callbacksFor(universalJob))
                .as("an item without callback_url")
                .isEmpty();

        // the job objects and results through the API
        assertThat(api.get("/v1/queries/" + amazonJob + "/results")
                        .path("results")
                        .get(0)
                        .path("content")
                        .path("price")
                        .asDouble())
                .isEqualTo(49.99);
        assertThat(api.get("/v1/queries/" + universalJob + "/results")
                        .path("results")
                        .get(0)
                        .path("content")
                        .asText())
                .contains("e2e page");
        JsonNode failing = api.get("/v1/queries/" + failingJob);
        assertThat(failing.path("status").asText()).isEqualTo("faulted");
        assertThat(failing.path("source").asText()).isEqualTo("always_failing");
        assertThat(api.get("/v1/queries/" + universalJob).path("storage_type").asText())
                .isEqualTo("gcs");

        // every result on the public topic, with the documented fields
        List<String> required = new ArrayList<>();
        RecurApi.JSON
                .readTree(Repo.read(Repo.dir().resolve("docs/schemas/job_result.schema.json")))
                .path("required")
                .forEach(f -> required.add(f.asText()));
        assertThat(required).contains("job_id", "schedule_id", "run_id", "status", "item");
        for (int i = 0; i < jobs.size(); i++) {
            JsonNode message = result(jobs.get(i));
            for (String field : required) {
                assertThat(message.has(field))
                        .as("%s of job %d on %s", field, jobs.get(i), Topics.JOB_RESULTS)
                        .isTrue();
            }
            assertThat(message.path("type").asText()).isEqualTo("job_result");
            assertThat(message.path("schedule_id").asLong()).isEqualTo(main);
            assertThat(message.path("run_id").asLong()).isEqualTo(Ids.runId(main, t1));
            assertThat(message.path("item_index").asInt()).isEqualTo(i);
            assertThat(message.path("owner").asText()).isEqualTo(RecurSystem.ALICE);
            assertThat(Instant.parse(message.path("scheduled_for").asText())).isEqualTo(t1);
            assertThat(message.has("results") ^ message.has("results_ref"))
                    .as("results xor results_ref")
                    .isTrue();
        }
        assertThat(result(amazonJob).path("backend").asText()).isEqualTo("oxylabs");
        assertThat(result(universalJob).path("backend").asText()).isEqualTo("http_fetcher");
        JsonNode failed = result(failingJob);
        assertThat(failed.path("status").asText()).isEqualTo("faulted");
        assertThat(failed.path("create_status_code").asInt()).isEqualTo(500);
        assertThat(failed.path("attempts").asInt())
                .as("scraper calls up to the retry limit")
                .isEqualTo(RecurSystem.SCRAPER_ATTEMPTS);
        assertThat(failed.path("error").asText()).isNotBlank();
    }

    /** The job ids of a schedule's run at {@code scheduledFor}: derived from the ids, as the API documents. */
    private static List<Long> jobIds(long scheduleId, Instant scheduledFor, int items) {
        long runId = Ids.runId(scheduleId, scheduledFor);
        return IntStream.range(0, items).mapToObj(i -> Ids.jobId(runId, i)).toList();
    }

    @SafeVarargs
    private static void awaitResults(Instant minute, List<Long>... jobs) {
        List<Long> all = concat(jobs);
        await().atMost(Duration.between(Instant.now(), minute.plus(RUN_PATIENCE)))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(resultIds()).containsAll(all));
    }

    /** No result of these schedules for {@code minute} appears, while the other runs of that tick are delivered. */
    private static void assertNoRunAt(Instant minute, Long... scheduleIds) {
        List<Long> ids = List.of(scheduleIds);
        await().during(ABSENCE_PROOF)
                .atMost(ABSENCE_PROOF.plusSeconds(5))
                .until(() -> results.messages().stream()
                        .noneMatch(m -> ids.contains(m.path("schedule_id").asLong())
                                && Instant.parse(m.path("scheduled_for").asText())
                                        .equals(minute)));
    }

    private static List<Long> resultIds() {
        return results.messages().stream().map(m -> m.path("job_id").asLong()).toList();
    }

    private static JsonNode result(long jobId) {
        return results.messages().stream()
                .filter(m -> m.path("job_id").asLong() == jobId)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no result of job " + jobId + " on " + Topics.JOB_RESULTS));
    }

    @SafeVarargs
    private static List<Long> concat(List<Long>... lists) {
        List<Long> all = new ArrayList<>();
        for (List<Long> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    private static long create(String cron, String items, String endTime) {
        RecurApi.Response r = api.send(
                "POST",
                "/v1/schedules",
                "{\"cron\":\"" + cron + "\",\"items\":" + items + ",\"end_time\":\"" + endTime + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("schedule_id").asLong();
    }

    private static JsonNode runAt(long scheduleId, Instant scheduledFor) {
        for (JsonNode run : api.get("/v1/schedules/" + scheduleId + "/runs").path("runs")) {
            if (run.path("scheduled_for").asText().equals(ApiTime.format(scheduledFor))) {
                return run;
            }
        }
        return null;
    }

    /** The scheduled_for of each run, newest first. */
    private static List<String> runTimes(long scheduleId) {
        return StreamSupport.stream(
                        api.get("/v1/schedules/" + scheduleId + "/runs")
                                .path("runs")
                                .spliterator(),
                        false)
                .map(r -> r.path("scheduled_for").asText())
                .toList();
    }

    private static Map<String, Long> outcomes(JsonNode outcomes, String key) {
        Map<String, Long> counts = new HashMap<>();
        outcomes.forEach(
                o -> counts.put(o.path(key).asText(), o.path("job_count").asLong()));
        return counts;
    }

    private static List<LoggedRequest> callbacksFor(long jobId) {
        return outside.findAll(postRequestedFor(urlPathEqualTo("/hook"))).stream()
                .filter(r -> Long.toString(jobId).equals(r.getHeader("X-Recur-Job-Id")))
                .toList();
    }
}
