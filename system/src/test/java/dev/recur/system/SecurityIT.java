package dev.recur.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.recur.common.event.Topics;
import dev.recur.common.time.ApiTime;

/**
 * Issue 7, scenario 6: every endpoint with no credentials, wrong credentials and another user's credentials; and
 * callbacks to internal addresses refused unless allowlisted. The system allowlists one address,
 * {@link RecurSystem#OUTSIDE_ADDRESS}; a receiver listening on 127.0.0.1 stands where an attacker would aim, and
 * must never be called. A refused callback is a delivery that "exhausted its retries" at once: it is on
 * {@code recur.delivery-dlq} with its reason, which is what a user or operator sees from outside.
 */
@Tag("e2e")
class SecurityIT {

    private static final String FAILURE = "missing or invalid credentials";

    private static WireMockServer outside;
    private static WireMockServer loopbackReceiver;
    private static RecurApi alice;
    private static RecurApi bob;
    private static TopicRecorder deadLetters;
    private static long callbackSchedule;
    private static final Map<String, String> refusedTargets = new LinkedHashMap<>();
    private static String allowedTarget;

    @BeforeAll
    static void start() {
        LocalRecur recur = RecurSystem.get();
        outside = RecurSystem.outside();
        outside.stubFor(get(urlPathEqualTo("/security-page")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>security</html>")));
        outside.stubFor(post(urlPathEqualTo("/security-hook")).willReturn(aResponse().withStatus(200)));
        loopbackReceiver = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        loopbackReceiver.start();
        loopbackReceiver.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
        alice = RecurSystem.api(RecurSystem.ALICE);
        bob = RecurSystem.api(RecurSystem.BOB);
        deadLetters = new TopicRecorder(recur.kafka().bootstrapServers(), Topics.DELIVERY_DLQ);

        int port = loopbackReceiver.port();
        refusedTargets.put("loopback", "http://127.0.0.1:" + port + "/hook");
        refusedTargets.put("private", "http://10.0.0.1:" + port + "/hook");
        refusedTargets.put("metadata", "http://169.254.169.254/latest/meta-data/");
        refusedTargets.put("name of loopback", "http://localhost:" + port + "/hook");
        refusedTargets.put("IPv6 loopback", "http://[::1]:" + port + "/hook");
        allowedTarget = RecurSystem.outsideUrl() + "/security-hook";
        List<String> items = new ArrayList<>();
        refusedTargets.values().forEach(target -> items.add(item(target)));
        items.add(item(allowedTarget));
        // created first, so that its first minute passes while the credential checks run
        RecurApi.Response created = alice.send("POST", "/v1/schedules", "{\"cron\":\"* * * * *\",\"items\":["
                + String.join(",", items) + "],\"end_time\":\"" + inADay() + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        callbackSchedule = created.json().path("schedule_id").asLong();
    }

    @AfterAll
    static void stop() {
        if (callbackSchedule != 0) {
            alice.send("PUT", "/v1/schedules/" + callbackSchedule + "/state", "{\"active\":false}");
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
        if (loopbackReceiver != null) {
            loopbackReceiver.stop();
        }
    }

    @Test
    void shouldRefuseStrangersAndOtherUsersAndInternalCallbackTargetsWhenNotAllowlisted() {
        Map<String, Integer> counts = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long schedule = callbackSchedule;
        String own = "/v1/schedules/" + schedule;

        // without valid credentials: 401 with the error body and a challenge, on every endpoint
        String nobody = "/v1/queries/1";
        List<Map<String, String>> badCredentials = List.of(Map.of(),
                Map.of("Authorization", RecurSystem.basic(RecurSystem.ALICE, "wrong-password")),
                Map.of("Authorization", RecurSystem.basic("mallory", RecurSystem.PASSWORD)),
                Map.of("Authorization", RecurSystem.basic(RecurSystem.ALICE, "")),
                Map.of("Authorization", "Bearer " + RecurSystem.PASSWORD));
        for (Map<String, String> credentials : badCredentials) {
            for (Endpoint e : endpoints(own, nobody)) {
                Map<String, String> headers = new LinkedHashMap<>(credentials);
                if (e.body() != null) {
                    headers.put("Content-Type", "application/json");
                }
                RecurApi.Response r = alice.raw(e.method(), e.path(), headers, bytes(e.body()));
                String label = (credentials.isEmpty() ? "no credentials" : "bad credentials") + " " + e;
                count(counts, credentials.isEmpty() ? "no credentials" : "wrong credentials", r.status());
                if (r.status() != 401 || !r.body().contains(FAILURE)
                        || !r.headers().getOrDefault("www-authenticate", "").startsWith("Basic")) {
                    failures.add(label + ": " + r + " " + r.headers().get("www-authenticate"));
                }
            }
        }

        // another user: 404 for what is not theirs, exactly as for what does not exist; nothing changes
        JsonNode before = alice.get(own);
        RecurApi.Response missing = alice.send("GET", "/v1/schedules/" + Long.MAX_VALUE, null);
        assertThat(missing.status()).isEqualTo(404);
        for (Endpoint e : endpoints(own, nobody)) {
            if (!e.path().startsWith(own)) {
                continue;
            }
            RecurApi.Response r = bob.send(e.method(), e.path(), e.body());
            count(counts, "other user", r.status());
            if (r.status() != 404 || !r.json().path("message").asText().equals(
                    missing.json().path("message").asText().replace(Long.toString(Long.MAX_VALUE), Long.toString(schedule)))) {
                failures.add("bob " + e + ": " + r);
            }
        }
        assertThat(bob.get("/v1/schedules").path("schedules").toString()).doesNotContain(Long.toString(schedule));
        RecurApi.Response adminByUser = bob.send("POST", "/v1/admin/users", "{\"username\":\"eve\",\"password\":\"x-x-x-x-x\"}");
        count(counts, "admin endpoint as a user", adminByUser.status());
        assertThat(adminByUser.status()).as(adminByUser.body()).isEqualTo(403);
        JsonNode after = alice.get(own);
        assertThat(after.path("active")).isEqualTo(before.path("active"));
        assertThat(after.path("cron")).isEqualTo(before.path("cron"));
        assertThat(after.path("items_count")).isEqualTo(before.path("items_count"));

        // the callbacks of the first run: only the allowlisted receiver is called
        JsonNode run = await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofSeconds(1))
                .until(() -> firstRun(schedule), r -> r != null && r.path("jobs").size() == refusedTargets.size() + 1);
        long runId = run.path("run_id").asLong();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(deadLettersOf(runId)).hasSize(refusedTargets.size());
            assertThat(callbacksTo(runId)).hasSize(1);
        });
        for (JsonNode job : run.path("jobs")) {
            long jobId = job.path("id").asLong();
            RecurApi.Response r = bob.send("GET", "/v1/queries/" + jobId, null);
            RecurApi.Response results = bob.send("GET", "/v1/queries/" + jobId + "/results", null);
            count(counts, "other user", r.status());
            count(counts, "other user", results.status());
            if (r.status() != 404 || results.status() != 404) {
                failures.add("bob GET /v1/queries/" + jobId + "[/results]: " + r + " / " + results);
            }
            assertThat(alice.send("GET", "/v1/queries/" + jobId, null).status()).isEqualTo(200);
        }
        Map<String, JsonNode> byTarget = new LinkedHashMap<>();
        deadLettersOf(runId).forEach(d -> byTarget.put(d.path("target").asText(), d));
        refusedTargets.forEach((what, target) -> {
            JsonNode letter = byTarget.get(target);
            assertThat(letter).as("dead letter of the %s target %s", what, target).isNotNull();
            assertThat(letter.path("kind").asText()).isEqualToIgnoringCase("callback");
            assertThat(letter.path("attempts").asInt()).as("refused at once, never retried").isEqualTo(1);
            assertThat(letter.path("reason").asText()).as(what).contains("internal address");
            assertThat(letter.path("owner").asText()).isEqualTo(RecurSystem.ALICE);
        });
        assertThat(loopbackReceiver.findAll(anyRequestedFor(anyUrl()))).as("requests that reached 127.0.0.1").isEmpty();
        LoggedRequest delivered = callbacksTo(runId).get(0);
        assertThat(delivered.getHeader("X-Recur-Signature"))
                .isEqualTo("sha256=" + Signatures.hmacSha256(RecurSystem.SIGNING_SECRET, delivered.getBody()));
        assertThat(deadLetters.messages().stream().map(d -> d.path("target").asText())).doesNotContain(allowedTarget);

        System.out.printf("[security] responses %s; callbacks of run %d: %d refused (on %s), %d requests reached"
                + " 127.0.0.1, %d delivered to the allowlisted receiver%n", counts, runId, deadLettersOf(runId).size(),
                Topics.DELIVERY_DLQ, loopbackReceiver.findAll(anyRequestedFor(anyUrl())).size(),
                callbacksTo(runId).size());
        failures.forEach(f -> System.out.println("[security]   " + f));
        assertThat(failures).isEmpty();
    }

    record Endpoint(String method, String path, String body) {

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every endpoint of the API, on the given schedule and job. */
    private static List<Endpoint> endpoints(String schedule, String job) {
        String definition = "{\"cron\":\"0 3 * * *\",\"items\":[" + item(allowedTarget) + "],\"end_time\":\""
                + inADay() + "\"}";
        return List.of(
                new Endpoint("GET", "/v1/schedules", null),
                new Endpoint("POST", "/v1/schedules", definition),
                new Endpoint("POST", "/v1/schedules/preview", "{\"cron\":\"* * * * *\",\"count\":3}"),
                new Endpoint("GET", schedule, null),
                new Endpoint("PUT", schedule, definition),
                new Endpoint("PUT", schedule + "/state", "{\"active\":false}"),
                new Endpoint("GET", schedule + "/runs", null),
                new Endpoint("GET", schedule + "/jobs", null),
                new Endpoint("DELETE", schedule, null),
                new Endpoint("GET", job, null),
                new Endpoint("GET", job + "/results", null),
                new Endpoint("POST", "/v1/admin/users", "{\"username\":\"eve\",\"password\":\"x-x-x-x-x\"}"));
    }

    private static String item(String callbackUrl) {
        return "{\"source\":\"universal\",\"url\":\"" + RecurSystem.outsideUrl() + "/security-page\",\"callback_url\":\""
                + callbackUrl + "\"}";
    }

    private static String inADay() {
        return ApiTime.format(Instant.now().plus(1, ChronoUnit.DAYS));
    }

    private static byte[] bytes(String body) {
        return body == null ? null : body.getBytes(StandardCharsets.UTF_8);
    }

    private static void count(Map<String, Integer> counts, String what, int status) {
        counts.merge(what + " " + status, 1, Integer::sum);
    }

    private static JsonNode firstRun(long scheduleId) {
        JsonNode runs = alice.get("/v1/schedules/" + scheduleId + "/runs").path("runs");
        return runs.isEmpty() ? null : runs.get(runs.size() - 1);
    }

    private static List<JsonNode> deadLettersOf(long runId) {
        return deadLetters.messages().stream().filter(d -> d.path("run_id").asLong() == runId).toList();
    }

    private static List<LoggedRequest> callbacksTo(long runId) {
        return outside.findAll(postRequestedFor(urlPathEqualTo("/security-hook"))).stream()
                .filter(r -> r.getBodyAsString().contains(Long.toString(runId))).toList();
    }
}
