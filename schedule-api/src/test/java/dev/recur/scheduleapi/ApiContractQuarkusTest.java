package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobRecord;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ScheduleStats;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.common.json.EventSerializer;
import dev.recur.testinfra.Infra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The REST contract: the JSON of the answers Oxylabs clients read is the recorded one (golden files, recorded from the
 * API before its bodies became types; only the documented additive fields may be new), the list endpoints page by
 * cursor as by their older parameters, and every operation of the OpenAPI document has typed bodies.
 */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class ApiContractQuarkusTest {

    /** Rewrites the golden files from the running code: {@code -Drecur.golden.record=true}, once, on purpose. */
    private static final boolean RECORD = Boolean.getBoolean("recur.golden.record");

    private static final Path GOLDEN = Path.of("src/test/resources/api-golden");
    /** Fields added to the recorded answers (docs/API.md): removed before the comparison, checked apart. */
    private static final Pattern ADDITIVE =
            Pattern.compile(",\"(next_cursor|jobs_next_cursor)\":(null|\"[^\"]*\")|,\"job_count\":\\d+");

    private static final Pattern SCHEDULE_TIMES = Pattern.compile("\"(created_at|next_run_at)\":\"[^\"]*\"");
    private static final Instant FIRST_RUN = Instant.parse("2026-11-29T16:00:00Z");
    private static final Instant SECOND_RUN = Instant.parse("2026-11-30T16:00:00Z");

    @Test
    void shouldAnswerTheRecordedJsonWhenAnOxylabsClientReadsSchedulesRunsJobsAndQueries() throws Exception {
        String owner = Api.newUser();
        String created = as(owner)
                .body("""
                {"cron": "0 16 * * *", "end_time": "2032-12-01 16:00:00", "unknown_field": {"kept": "out"},
                 "items": [{"source": "amazon_product", "query": "B098FKXT8L", "parse": true,
                            "callback_url": "https://example.com/hook"},
                           {"source": "universal", "url": "https://example.com/p"}]}""")
                .post("/v1/schedules")
                .then()
                .statusCode(201)
                .extract()
                .asString();
        long scheduleId = Long.parseLong(JsonPath.from(created).getString("schedule_id_str"));
        long firstRun = Ids.runId(scheduleId, FIRST_RUN);
        long secondRun = Ids.runId(scheduleId, SECOND_RUN);
        Map<String, String> names = new LinkedHashMap<>();
        names.put(Long.toString(scheduleId), "<schedule_id>");
        names.put(Long.toString(firstRun), "<first_run>");
        names.put(Long.toString(secondRun), "<second_run>");
        for (int i = 0; i < 2; i++) {
            names.put(Long.toString(Ids.jobId(firstRun, i)), "<first_run_job_" + i + ">");
            names.put(Long.toString(Ids.jobId(secondRun, i)), "<second_run_job_" + i + ">");
        }
        names.put(RestAssured.baseURI + ":" + RestAssured.port, "<base>");

        try (KafkaProducer<String, Object> producer = producer()) {
            producer.send(new ProducerRecord<>(
                    Topics.SCHEDULE_STATS,
                    Topics.key(scheduleId),
                    ScheduleStats.of(
                            scheduleId,
                            owner,
                            2,
                            List.of(new ScheduleStats.CreateOutcome(202, 2, 1)),
                            List.of(
                                    new ScheduleStats.ResultOutcome("done", 1, 0.5),
                                    new ScheduleStats.ResultOutcome("faulted", 1, 0.5)),
                            FIRST_RUN.plusSeconds(30),
                            1)));
            publish(producer, job(scheduleId, owner, firstRun, 0, JobStatus.DONE));
            publish(producer, job(scheduleId, owner, firstRun, 1, JobStatus.FAULTED));
            ObjectNode item = EventJson.mapper()
                    .createObjectNode()
                    .put("source", "universal")
                    .put("url", "https://example.com/p");
            // two slices published a second apart: the jobs' order (newest first) does not hang on their random ids
            producer.send(new ProducerRecord<>(
                    Topics.DUE_RUNS,
                    Topics.key(scheduleId),
                    DueRun.of(
                            secondRun,
                            scheduleId,
                            owner,
                            SECOND_RUN,
                            SECOND_RUN,
                            false,
                            0,
                            2,
                            0,
                            2,
                            List.of(item.deepCopy()),
                            SECOND_RUN.plusMillis(40))));
            producer.send(new ProducerRecord<>(
                    Topics.DUE_RUNS,
                    Topics.key(scheduleId),
                    DueRun.of(
                            secondRun,
                            scheduleId,
                            owner,
                            SECOND_RUN,
                            SECOND_RUN,
                            false,
                            1,
                            2,
                            1,
                            2,
                            List.of(item.deepCopy().put("n", 1)),
                            SECOND_RUN.plusSeconds(1))));
            producer.flush();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            as(owner)
                    .get("/v1/schedules/" + scheduleId)
                    .then()
                    .statusCode(200)
                    .body("stats.total_job_count", equalTo(2));
            as(owner)
                    .get("/v1/schedules/" + scheduleId + "/jobs")
                    .then()
                    .statusCode(200)
                    .body("jobs.size()", equalTo(4));
        });

        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("create", scheduleTimes(created));
        answers.put(
                "get",
                scheduleTimes(as(owner).get("/v1/schedules/" + scheduleId).asString()));
        answers.put("list", as(owner).get("/v1/schedules").asString());
        answers.put(
                "runs", as(owner).get("/v1/schedules/" + scheduleId + "/runs").asString());
        answers.put(
                "runs-page-2",
                as(owner)
                        .queryParam("page", 2)
                        .queryParam("limit", 1)
                        .get("/v1/schedules/" + scheduleId + "/runs")
                        .asString());
        answers.put(
                "jobs", as(owner).get("/v1/schedules/" + scheduleId + "/jobs").asString());
        answers.put(
                "jobs-page-2",
                as(owner)
                        .queryParam("page", 2)
                        .queryParam("limit", 3)
                        .get("/v1/schedules/" + scheduleId + "/jobs")
                        .asString());
        answers.put(
                "query-done",
                as(owner).get("/v1/queries/" + Ids.jobId(firstRun, 0)).asString());
        answers.put(
                "query-faulted",
                as(owner).get("/v1/queries/" + Ids.jobId(firstRun, 1)).asString());
        answers.put(
                "query-pending",
                as(owner).get("/v1/queries/" + Ids.jobId(secondRun, 1)).asString());
        answers.put(
                "preview",
                as(owner)
                        .body("{\"cron\": \"0 16 * * *\", \"timezone\": \"Europe/Vilnius\","
                                + " \"after\": \"2026-07-01 00:00:00\", \"count\": 2}")
                        .post("/v1/schedules/preview")
                        .asString());
        // the error bodies of malformed and unknown input, byte for byte
        answers.put(
                "error-create-fields",
                as(owner)
                        .body(
                                "{\"cron\": \"61 * * * *\", \"items\": [1, {\"callback_url\":"
                                        + " \"ftp://x\"}], \"end_time\": \"2020-01-01\", \"catch_up\": \"never\", \"jitter_seconds\": -1}")
                        .post("/v1/schedules")
                        .asString());
        answers.put(
                "error-create-json",
                as(owner).body("{\"cron\": ").post("/v1/schedules").asString());
        answers.put(
                "error-create-array", as(owner).body("[]").post("/v1/schedules").asString());
        answers.put(
                "error-replace",
                as(owner)
                        .body("{\"cron\": 5}")
                        .put("/v1/schedules/" + scheduleId)
                        .asString());
        answers.put(
                "error-state",
                as(owner)
                        .body("{\"active\": \"yes\"}")
                        .put("/v1/schedules/" + scheduleId + "/state")
                        .asString());
        answers.put(
                "error-preview",
                as(owner)
                        .body("{\"cron\": \"@daily\", \"count\": 0, \"timezone\": \"Mars/Base\"}")
                        .post("/v1/schedules/preview")
                        .asString());
        answers.put(
                "error-runs-page",
                as(owner)
                        .queryParam("page", 0)
                        .queryParam("limit", "x")
                        .get("/v1/schedules/" + scheduleId + "/runs")
                        .asString());
        answers.put(
                "error-jobs-limit",
                as(owner)
                        .queryParam("limit", 100_000)
                        .get("/v1/schedules/" + scheduleId + "/jobs")
                        .asString());
        answers.put(
                "error-list",
                as(owner)
                        .queryParam("active", "maybe")
                        .queryParam("after", "x")
                        .get("/v1/schedules")
                        .asString());
        answers.put("error-query-id", as(owner).get("/v1/queries/abc").asString());
        answers.put(
                "error-user",
                given().auth()
                        .preemptive()
                        .basic(Api.ADMIN, Api.ADMIN_PASSWORD)
                        .contentType(ContentType.JSON)
                        .body("{\"username\": \"\", \"password\": \"short\", \"admin\": 1}")
                        .post("/v1/admin/users")
                        .asString());

        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> answer : answers.entrySet()) {
            String normalized = rename(answer.getValue(), names);
            Path file = GOLDEN.resolve(answer.getKey() + ".json");
            if (RECORD) {
                Files.createDirectories(GOLDEN);
                Files.writeString(file, normalized + "\n", StandardCharsets.UTF_8);
                continue;
            }
            String recorded = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!ADDITIVE.matcher(normalized).replaceAll("").equals(recorded)) {
                differences.add(answer.getKey() + ":\n  recorded " + recorded + "\n  now      " + normalized);
            }
        }
        if (RECORD) {
            return;
        }
        assertThat(differences).as("answers that differ from the recorded ones").isEmpty();
        // the additive fields themselves
        JsonPath runs = JsonPath.from(answers.get("runs"));
        assertThat(runs.getList("runs.job_count", Integer.class)).containsExactly(2, 2);
        assertThat(answers.get("runs")).doesNotContain("next_cursor");
        assertThat(JsonPath.from(answers.get("runs-page-2")).getString("next_cursor"))
                .isNull();
        assertThat(JsonPath.from(answers.get("jobs-page-2")).getString("next_cursor"))
                .isNull();
        assertThat(answers.get("list")).doesNotContain("next_cursor");
    }

    @Test
    void shouldPageEveryListByCursorAsByItsOlderParametersWhenCursorsArePassedBack() throws Exception {
        String owner = Api.newUser();
        List<Long> schedules = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            schedules.add(Api.createSchedule(owner));
        }
        schedules.sort(null);
        JsonPath first = JsonPath.from(
                as(owner).queryParam("limit", 2).get("/v1/schedules").asString());
        assertThat(first.getString("next_cursor")).isEqualTo(Long.toString(schedules.get(1)));
        String second = as(owner)
                .queryParam("limit", 2)
                .queryParam("cursor", first.getString("next_cursor"))
                .get("/v1/schedules")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(second).isEqualTo("{\"schedules\":[" + schedules.get(2) + "]}");
        as(owner)
                .queryParam("cursor", "1")
                .queryParam("after", "1")
                .get("/v1/schedules")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("cursor"));
        as(owner)
                .queryParam("cursor", "x")
                .get("/v1/schedules")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("cursor"));

        // runs and jobs: the pages of a cursor are the pages of page numbers
        long scheduleId = schedules.get(0);
        List<Long> runIds = new ArrayList<>();
        try (KafkaProducer<String, Object> producer = producer()) {
            for (int minute = 0; minute < 3; minute++) {
                Instant at = FIRST_RUN.plusSeconds(60L * minute);
                long runId = Ids.runId(scheduleId, at);
                runIds.add(runId);
                ObjectNode item = EventJson.mapper()
                        .createObjectNode()
                        .put("source", "universal")
                        .put("url", "https://a.example");
                producer.send(new ProducerRecord<>(
                        Topics.DUE_RUNS,
                        Topics.key(scheduleId),
                        DueRun.of(runId, scheduleId, owner, at, at, false, 0, 1, 0, 3, List.of(item, item, item), at)));
            }
            producer.flush();
        }
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> as(owner)
                        .get("/v1/schedules/" + scheduleId + "/jobs")
                        .then()
                        .statusCode(200)
                        .body("jobs.size()", equalTo(9)));
        for (String list : List.of("runs", "jobs")) {
            int limit = list.equals("runs") ? 1 : 2;
            List<String> byPage = new ArrayList<>();
            for (int page = 1; page <= 5; page++) {
                byPage.add(JsonPath.from(as(owner)
                                .queryParam("page", page)
                                .queryParam("limit", limit)
                                .get("/v1/schedules/" + scheduleId + "/" + list)
                                .asString())
                        .getString(list));
            }
            List<String> byCursor = new ArrayList<>();
            String cursor = null;
            do {
                var request = as(owner).queryParam("limit", limit);
                if (cursor != null) {
                    request.queryParam("cursor", cursor);
                }
                JsonPath page = JsonPath.from(
                        request.get("/v1/schedules/" + scheduleId + "/" + list).asString());
                byCursor.add(page.getString(list));
                cursor = page.getString("next_cursor");
            } while (cursor != null && byCursor.size() < 10);
            assertThat(byCursor)
                    .as(list)
                    .hasSize(list.equals("runs") ? 3 : 5)
                    .containsExactlyElementsOf(byPage.subList(0, byCursor.size()));
            as(owner)
                    .queryParam("page", 1)
                    .queryParam("cursor", "1.1")
                    .get("/v1/schedules/" + scheduleId + "/" + list)
                    .then()
                    .statusCode(400)
                    .body("errors[0].field", equalTo("cursor"));
        }

        // a run's jobs beyond jobs_limit, from its jobs_next_cursor
        JsonPath runs = JsonPath.from(as(owner)
                .queryParam("jobs_limit", 2)
                .get("/v1/schedules/" + scheduleId + "/runs")
                .asString());
        assertThat(runs.getList("runs[0].jobs")).hasSize(2);
        assertThat(runs.getInt("runs[0].job_count")).isEqualTo(3);
        String runId = runs.getString("runs[0].run_id_str");
        String rest = as(owner)
                .queryParam("cursor", runs.getString("runs[0].jobs_next_cursor"))
                .get("/v1/schedules/" + scheduleId + "/runs/" + runId + "/jobs")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(JsonPath.from(rest).getList("jobs.id_str"))
                .containsExactly(Long.toString(Ids.jobId(Long.parseLong(runId), 2)));
        assertThat(JsonPath.from(rest).getString("next_cursor")).isNull();
        JsonPath all = JsonPath.from(as(owner)
                .queryParam("limit", 2)
                .get("/v1/schedules/" + scheduleId + "/runs/" + runId + "/jobs")
                .asString());
        assertThat(all.getList("jobs.id_str"))
                .containsExactly(
                        Long.toString(Ids.jobId(Long.parseLong(runId), 0)),
                        Long.toString(Ids.jobId(Long.parseLong(runId), 1)));
        assertThat(all.getString("next_cursor")).isEqualTo("2");
        as(Api.newUser())
                .get("/v1/schedules/" + scheduleId + "/runs/" + runId + "/jobs")
                .then()
                .statusCode(404);

        // users, as schedules
        JsonPath users = JsonPath.from(given().auth()
                .preemptive()
                .basic(Api.ADMIN, Api.ADMIN_PASSWORD)
                .queryParam("limit", 1)
                .get("/v1/admin/users")
                .asString());
        String next = users.getString("next_cursor");
        assertThat(next).isEqualTo(users.getString("users[0].id"));
        JsonPath after = JsonPath.from(given().auth()
                .preemptive()
                .basic(Api.ADMIN, Api.ADMIN_PASSWORD)
                .queryParam("limit", 1)
                .queryParam("after", next)
                .get("/v1/admin/users")
                .asString());
        JsonPath byCursor = JsonPath.from(given().auth()
                .preemptive()
                .basic(Api.ADMIN, Api.ADMIN_PASSWORD)
                .queryParam("limit", 1)
                .queryParam("cursor", next)
                .get("/v1/admin/users")
                .asString());
        assertThat(byCursor.getString("users")).isEqualTo(after.getString("users"));
    }

    /** Every operation's JSON bodies, in and out, are named types of the document: none is a bare object. */
    @Test
    void shouldTypeEveryRequestAndResponseBodyWhenTheOpenApiDocumentIsServed() throws Exception {
        JsonNode document = EventJson.mapper()
                .readTree(given().queryParam("format", "json")
                        .get("/q/openapi")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString());
        List<String> untyped = new ArrayList<>();
        int operations = 0;
        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            if (!path.getKey().startsWith("/v1/")) {
                continue;
            }
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                String name = operation.getKey().toUpperCase() + " " + path.getKey();
                operations++;
                JsonNode body = operation.getValue().path("requestBody");
                if (!body.isMissingNode()
                        && !typed(body.path("content").path("application/json").path("schema"))) {
                    untyped.add(name + " request body");
                }
                for (Map.Entry<String, JsonNode> response :
                        operation.getValue().path("responses").properties()) {
                    JsonNode content = response.getValue().path("content");
                    boolean empty =
                            response.getKey().equals("202") || response.getKey().equals("204");
                    if (content.isMissingNode()
                            ? !empty
                            : !typed(content.path("application/json").path("schema"))) {
                        untyped.add(name + " response " + response.getKey());
                    }
                }
            }
        }
        assertThat(operations).isGreaterThan(15);
        assertThat(untyped).as("operations with an untyped body in /q/openapi").isEmpty();
        assertThat(document.at("/components/schemas/ScheduleRequest/properties/items/items/$ref")
                        .asText())
                .isEqualTo("#/components/schemas/ScheduleItem");
    }

    /** A reference to a named schema, or an array of them. */
    private static boolean typed(JsonNode schema) {
        if (schema.has("$ref")) {
            return true;
        }
        return schema.path("items").has("$ref");
    }

    private static String scheduleTimes(String json) {
        Matcher times = SCHEDULE_TIMES.matcher(json);
        return times.replaceAll(m -> "\"" + m.group(1) + "\":\"<" + m.group(1) + ">\"");
    }

    private static String rename(String json, Map<String, String> names) {
        String renamed = json;
        for (Map.Entry<String, String> name : names.entrySet()) {
            renamed = renamed.replaceAll(
                    "(?<![0-9])" + Pattern.quote(name.getKey()) + "(?![0-9])",
                    Matcher.quoteReplacement(name.getValue()));
        }
        return renamed;
    }

    private static void publish(KafkaProducer<String, Object> producer, JobRecord record) {
        producer.send(new ProducerRecord<>(Topics.JOB_HISTORY, Topics.key(record.jobId()), record));
    }

    private static JobRecord job(long scheduleId, String owner, long runId, int index, JobStatus status) {
        ObjectNode item = index == 0
                ? EventJson.mapper()
                        .createObjectNode()
                        .put("source", "amazon_product")
                        .put("query", "B098FKXT8L")
                        .put("parse", true)
                        .put("callback_url", "https://example.com/hook")
                : EventJson.mapper()
                        .createObjectNode()
                        .put("source", "universal")
                        .put("url", "https://example.com/p");
        return JobRecord.of(
                Ids.jobId(runId, index),
                runId,
                scheduleId,
                owner,
                FIRST_RUN,
                index,
                item,
                202,
                status,
                status == JobStatus.FAULTED ? "scraper answered 500" : null,
                FIRST_RUN.plusSeconds(1 + index),
                FIRST_RUN.plusSeconds(9),
                null);
    }

    private static KafkaProducer<String, Object> producer() throws IOException {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>());
    }
}
