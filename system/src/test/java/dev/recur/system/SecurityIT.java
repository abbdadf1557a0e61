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

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.recur.common.event.Topics;
import dev.recur.common.time.ApiTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 7, scenario 6: every endpoint with no credentials, wrong credentials and another user's credentials; and
 * callbacks to internal addresses refused unless allowlisted. The system allowlists one address,
 * {@link RecurSystem#OUTSIDE_ADDRESS}; a receiver listening on {@link RecurSystem#PRIVATE_ADDRESS} stands where an
 * attacker would aim, and must never be called. A refused callback is a delivery that "exhausted its retries" at
 * once: it is on {@code recur.delivery-dlq} with its reason, which is what a user or operator sees from outside.
 * <p>
 * Issue 20, item 1: the same receiver must get nothing either when the target is a name whose address is an IPv6
 * form carrying the private address ({@link RecurSystem#DISGUISED_NAMES}), or a literal in another notation; for
 * callbacks, for pages the fetcher gets, and for redirect hops. A refused fetch is a job faulted at its first attempt,
 * on {@code recur.job-results} with a reason that names the host, not the address it resolved to.
 */
@Tag("e2e")
class SecurityIT {

    private static final String FAILURE = "missing or invalid credentials";

    private static WireMockServer outside;
    private static WireMockServer loopbackReceiver;
    private static RecurApi alice;
    private static RecurApi bob;
    private static TopicRecorder deadLetters;
    private static TopicRecorder jobResults;
    private static long callbackSchedule;
    private static long fetchSchedule;
    private static final Map<String, String> refusedTargets = new LinkedHashMap<>();
    /** Per item of the fetch schedule: the host whose refusal its job must report. */
    private static final List<String> refusedFetchHosts = new ArrayList<>();

    private static String allowedTarget;

    @BeforeAll
    static void start() {
        LocalRecur recur = RecurSystem.get();
        outside = RecurSystem.outside();
        outside.stubFor(get(urlPathEqualTo("/security-page"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/html")
                        .withBody("<html>security</html>")));
        outside.stubFor(
                post(urlPathEqualTo("/security-hook")).willReturn(aResponse().withStatus(200)));
        loopbackReceiver = new WireMockServer(
                options().bindAddress(RecurSystem.PRIVATE_ADDRESS).dynamicPort());
        loopbackReceiver.start();
        loopbackReceiver.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
        alice = RecurSystem.api(RecurSystem.ALICE);
        bob = RecurSystem.api(RecurSystem.BOB);
        deadLetters = new TopicRecorder(recur.kafka().bootstrapServers(), Topics.DELIVERY_DLQ);
        jobResults = new TopicRecorder(recur.kafka().bootstrapServers(), Topics.JOB_RESULTS);

        int port = loopbackReceiver.port();
        refusedTargets.put("loopback", "http://127.0.0.1:" + port + "/hook");
        refusedTargets.put("private", "http://10.0.0.1:" + port + "/hook");
        refusedTargets.put("metadata", "http://169.254.169.254/latest/meta-data/");
        refusedTargets.put("name of loopback", "http://localhost:" + port + "/hook");
        refusedTargets.put("IPv6 loopback", "http://[::1]:" + port + "/hook");
        privateTargets(port, "/hook").forEach(refusedTargets::put);
        allowedTarget = RecurSystem.outsideUrl() + "/security-hook";
        List<String> items = new ArrayList<>();
        refusedTargets.values().forEach(target -> items.add(item(target)));
        items.add(item(allowedTarget));
        // created first, so that its first minute passes while the credential checks run
        RecurApi.Response created = alice.send(
                "POST",
                "/v1/schedules",
                "{\"cron\":\"* * * * *\",\"items\":[" + String.join(",", items) + "],\"end_time\":\"" + inADay()
                        + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        callbackSchedule = created.json().path("schedule_id").asLong();

        // pages: each disguised target fetched directly, and reached through a redirect from the allowed server
        List<String> fetches = new ArrayList<>();
        privateTargets(port, "/page").forEach((what, target) -> {
            fetches.add(fetchItem(target));
            refusedFetchHosts.add(URI.create(target).getHost());
        });
        privateTargets(port, "/page").forEach((what, target) -> {
            String path = "/security-redirect/" + refusedFetchHosts.size();
            outside.stubFor(get(urlPathEqualTo(path))
                    .willReturn(aResponse().withStatus(302).withHeader("Location", target)));
            fetches.add(fetchItem(RecurSystem.outsideUrl() + path));
            refusedFetchHosts.add(URI.create(target).getHost());
        });
        RecurApi.Response fetching = alice.send(
                "POST",
                "/v1/schedules",
                "{\"cron\":\"* * * * *\",\"items\":[" + String.join(",", fetches) + "],\"end_time\":\"" + inADay()
                        + "\"}");
        assertThat(fetching.status()).as(fetching.body()).isEqualTo(201);
        fetchSchedule = fetching.json().path("schedule_id").asLong();
    }

    /**
     * URLs of {@link RecurSystem#PRIVATE_ADDRESS} (and the metadata address) in disguise: names whose address is an
     * IPv6 form carrying it, and literals in other notations.
     */
    private static Map<String, String> privateTargets(int port, String path) {
        Map<String, String> targets = new LinkedHashMap<>();
        RecurSystem.DISGUISED_NAMES.forEach(
                (name, address) -> targets.put("name of " + address, "http://" + name + ":" + port + path));
        // (short forms such as 127.1 are no URL host: the API refuses them)
        for (String literal : List.of("[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::127.0.0.1]", "2130706433")) {
            targets.put("literal " + literal, "http://" + literal + ":" + port + path);
        }
        return targets;
    }

    @AfterAll
    static void stop() {
        for (long schedule : new long[] {callbackSchedule, fetchSchedule}) {
            if (schedule != 0) {
                alice.send("PUT", "/v1/schedules/" + schedule + "/state", "{\"active\":false}");
            }
        }
        if (deadLetters != null) {
            deadLetters.close();
        }
        if (jobResults != null) {
            jobResults.close();
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
        List<Map<String, String>> badCredentials = List.of(
                Map.of(),
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
                if (r.status() != 401
                        || !r.body().contains(FAILURE)
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
            if (r.status() != 404
                    || !r.json()
                            .path("message")
                            .asText()
                            .equals(missing.json()
                                    .path("message")
                                    .asText()
                                    .replace(Long.toString(Long.MAX_VALUE), Long.toString(schedule)))) {
                failures.add("bob " + e + ": " + r);
            }
        }
        assertThat(bob.get("/v1/schedules").path("schedules").toString()).doesNotContain(Long.toString(schedule));
        RecurApi.Response adminByUser =
                bob.send("POST", "/v1/admin/users", "{\"username\":\"eve\",\"password\":\"x-x-x-x-x\"}");
        count(counts, "admin endpoint as a user", adminByUser.status());
        assertThat(adminByUser.status()).as(adminByUser.body()).isEqualTo(403);
        JsonNode after = alice.get(own);
        assertThat(after.path("active")).isEqualTo(before.path("active"));
        assertThat(after.path("cron")).isEqualTo(before.path("cron"));
        assertThat(after.path("items_count")).isEqualTo(before.path("items_count"));

        // the callbacks of the first run: only the allowlisted receiver is called
        JsonNode run = await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> firstRun(schedule),
                        r -> r != null && r.path("jobs").size() == refusedTargets.size() + 1);
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
            assertThat(letter)
                    .as("dead letter of the %s target %s", what, target)
                    .isNotNull();
            assertThat(letter.path("kind").asText()).isEqualToIgnoringCase("callback");
            assertThat(letter.path("attempts").asInt())
                    .as("refused at once, never retried")
                    .isEqualTo(1);
            assertThat(letter.path("reason").asText())
                    .as(what)
                    .contains("internal address")
                    .startsWith("refused target " + URI.create(target).getHost() + ": ");
            if (what.startsWith("name of ")) {
                assertThat(letter.path("reason").asText())
                        .as("the reason does not say where %s leads", what)
                        .doesNotContain(RecurSystem.PRIVATE_ADDRESS)
                        .doesNotContain("7f00")
                        .doesNotContain("169.254");
            }
            assertThat(letter.path("owner").asText()).isEqualTo(RecurSystem.ALICE);
        });
        assertThat(loopbackReceiver.findAll(anyRequestedFor(anyUrl())))
                .as("requests that reached 127.0.0.1")
                .isEmpty();
        LoggedRequest delivered = callbacksTo(runId).get(0);
        String signature = delivered.getHeader("X-Recur-Signature");
        assertThat(Signatures.verifies(signature, delivered.getBody(), RecurSystem.SIGNING_SECRET))
                .as("X-Recur-Signature %s", signature)
                .isTrue();
        assertThat(deadLetters.messages().stream().map(d -> d.path("target").asText()))
                .doesNotContain(allowedTarget);

        System.out.printf(
                "[security] responses %s; callbacks of run %d: %d refused (on %s), %d requests reached"
                        + " 127.0.0.1, %d delivered to the allowlisted receiver%n",
                counts,
                runId,
                deadLettersOf(runId).size(),
                Topics.DELIVERY_DLQ,
                loopbackReceiver.findAll(anyRequestedFor(anyUrl())).size(),
                callbacksTo(runId).size());
        failures.forEach(f -> System.out.println("[security]   " + f));
        assertThat(failures).isEmpty();
    }

    /**
     * The deployment's own bucket and malformed prefixes are refused at create; a bucket list an administrator sets
     * refuses the buckets outside it at create and, for a schedule created before, again at delivery (the list
     * reaches delivery over {@code recur.tenant-buckets}): a dead letter, no upload.
     */
    @Test
    void shouldRefuseTenantWritesToTheSystemsBucketAndOutsideTheTenantsBucketList() {
        RecurApi admin = RecurSystem.admin();
        String name = "bucket-tenant";
        RecurApi.Response added = admin.send(
                "POST",
                "/v1/admin/users",
                "{\"username\":\"" + name + "\",\"password\":\"" + RecurSystem.PASSWORD + "\"}");
        assertThat(added.status()).as("%s", added).isEqualTo(201);
        long userId = added.json().path("id").asLong();
        RecurApi tenant = RecurSystem.api(name);

        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("the results bucket", "s3://" + LocalRecur.RESULTS_BUCKET + "/mine");
        refused.put("the results bucket, upper case", "s3://" + LocalRecur.RESULTS_BUCKET.toUpperCase() + "/mine");
        refused.put("the results bucket, no prefix", "s3://" + LocalRecur.RESULTS_BUCKET);
        refused.put("a prefix with ..", "s3://tenant-results/a/../b");
        refused.put("a prefix with an empty segment", "s3://tenant-results/a//b");
        refused.put("a prefix with a control character", "s3://tenant-results/a\\u0007b");
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> e : refused.entrySet()) {
            RecurApi.Response r = tenant.send("POST", "/v1/schedules", storageSchedule("* * * * *", e.getValue()));
            if (r.status() != 400 || !r.body().contains("storage_url")) {
                failures.add(e.getKey() + " (" + e.getValue() + "): " + r);
            }
        }

        // accepted while the tenant has no list; then the list leaves it outside
        RecurApi.Response before =
                tenant.send("POST", "/v1/schedules", storageSchedule("* * * * *", "s3://tenant-results/runs"));
        assertThat(before.status()).as("%s", before).isEqualTo(201);
        long outside = before.json().path("schedule_id").asLong();
        RecurApi.Response list = admin.send(
                "PUT", "/v1/admin/users/" + userId + "/buckets", "{\"buckets\":[\"s3://tenant-allowed-*\"]}");
        assertThat(list.status()).as("%s", list).isEqualTo(200);
        assertThat(list.json().path("schedules_outside").toString()).contains(Long.toString(outside));
        RecurApi.Response outsideList =
                tenant.send("POST", "/v1/schedules", storageSchedule("* * * * *", "s3://tenant-results/later"));
        if (outsideList.status() != 400 || !outsideList.body().contains("bucket list")) {
            failures.add("a bucket outside the list at create: " + outsideList);
        }
        RecurApi.Response inList = tenant.send(
                "POST",
                "/v1/schedules",
                storageSchedule(
                        "0 0 1 1 *",
                        "s3://tenant-allowed-1/x",
                        ApiTime.format(Instant.now().plus(400, ChronoUnit.DAYS))));
        assertThat(inList.status()).as("a bucket the list allows: %s", inList).isEqualTo(201);

        JsonNode letter = await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1))
                .until(
                        () -> deadLetters.messages().stream()
                                .filter(d -> d.path("schedule_id").asLong() == outside)
                                .findFirst()
                                .orElse(null),
                        java.util.Objects::nonNull);
        tenant.send("DELETE", "/v1/schedules/" + outside, null);
        assertThat(letter.path("kind").asText()).isEqualToIgnoringCase("s3");
        assertThat(letter.path("reason").asText()).contains("not in the owner's bucket list");

        System.out.printf(
                "[security] buckets: %d of %d tenant writes refused at create (%s), 1 outside the tenant's list"
                        + " refused at create and 1 at delivery (a dead letter after %d attempt(s): %s)%n",
                refused.size() + 1 - failures.size(),
                refused.size() + 1,
                String.join(", ", refused.keySet()),
                letter.path("attempts").asInt(),
                letter.path("reason").asText());
        failures.forEach(f -> System.out.println("[security]   " + f));
        assertThat(failures).isEmpty();
    }

    private static String storageSchedule(String cron, String storageUrl) {
        return storageSchedule(cron, storageUrl, inADay());
    }

    private static String storageSchedule(String cron, String storageUrl, String endTime) {
        return "{\"cron\":\"" + cron + "\",\"items\":[{\"source\":\"universal\",\"url\":\""
                + RecurSystem.outsideUrl() + "/security-page\",\"storage_type\":\"s3\",\"storage_url\":\""
                + storageUrl + "\"}],\"end_time\":\"" + endTime + "\"}";
    }

    @Test
    void shouldFaultFetchesAndRedirectHopsToPrivateAddressesInDisguiseWithoutARequestReachingThem() {
        long schedule = fetchSchedule;
        int items = refusedFetchHosts.size();
        List<JsonNode> results = await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> firstRunResults(schedule), r -> r.size() == items);
        List<String> failures = new ArrayList<>();
        for (JsonNode result : results) {
            int index = result.path("item_index").asInt();
            String host = refusedFetchHosts.get(index);
            String error = result.path("error").asText();
            String label =
                    "item " + index + " (" + result.path("item").path("url").asText() + ")";
            if (!result.path("status").asText().equals("faulted")
                    || result.path("attempts").asInt() != 1
                    || !error.startsWith("refused target " + host + ": ")) {
                failures.add(label + ": " + result.path("status").asText() + " after " + result.path("attempts")
                        + " attempts: " + error);
            } else if (RecurSystem.DISGUISED_NAMES.containsKey(host)
                    && (error.contains(RecurSystem.PRIVATE_ADDRESS)
                            || error.contains("7f00")
                            || error.contains("169.254"))) {
                failures.add(label + ": the reason says where the name leads: " + error);
            }
        }
        int redirects = (int) results.stream()
                .filter(r -> r.path("item").path("url").asText().contains("/security-redirect/"))
                .count();
        int reached = loopbackReceiver.findAll(anyRequestedFor(anyUrl())).size();
        System.out.printf(
                "[security] fetcher: %d of %d pages refused at the first attempt (%d direct, %d redirect"
                        + " hops; %d disguised names, the rest literals); %d requests reached %s%n",
                items - failures.size(),
                items,
                items - redirects,
                redirects,
                2 * RecurSystem.DISGUISED_NAMES.size(),
                reached,
                RecurSystem.PRIVATE_ADDRESS);
        failures.forEach(f -> System.out.println("[security]   " + f));
        assertThat(failures).isEmpty();
        assertThat(reached)
                .as("requests that reached %s", RecurSystem.PRIVATE_ADDRESS)
                .isZero();
    }

    /** The results of a schedule's first run on {@code recur.job-results}, one per item. */
    private static List<JsonNode> firstRunResults(long scheduleId) {
        List<JsonNode> ofSchedule = jobResults.messages().stream()
                .filter(r -> r.path("schedule_id").asLong() == scheduleId)
                .toList();
        if (ofSchedule.isEmpty()) {
            return List.of();
        }
        long firstRun = ofSchedule.stream()
                .mapToLong(r -> r.path("run_id").asLong())
                .min()
                .getAsLong();
        Map<Integer, JsonNode> byItem = new TreeMap<>();
        ofSchedule.stream()
                .filter(r -> r.path("run_id").asLong() == firstRun)
                .forEach(r -> byItem.putIfAbsent(r.path("item_index").asInt(), r));
        return List.copyOf(byItem.values());
    }

    record Endpoint(String method, String path, String body) {

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /** Every endpoint of the API, on the given schedule and job. */
    private static List<Endpoint> endpoints(String schedule, String job) {
        String definition =
                "{\"cron\":\"0 3 * * *\",\"items\":[" + item(allowedTarget) + "],\"end_time\":\"" + inADay() + "\"}";
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
        return "{\"source\":\"universal\",\"url\":\"" + RecurSystem.outsideUrl()
                + "/security-page\",\"callback_url\":\"" + callbackUrl + "\"}";
    }

    private static String fetchItem(String url) {
        return "{\"source\":\"universal\",\"url\":\"" + url + "\"}";
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
        return deadLetters.messages().stream()
                .filter(d -> d.path("run_id").asLong() == runId)
                .toList();
    }

    private static List<LoggedRequest> callbacksTo(long runId) {
        return outside.findAll(postRequestedFor(urlPathEqualTo("/security-hook"))).stream()
                .filter(r -> r.getBodyAsString().contains(Long.toString(runId)))
                .toList();
    }
}
