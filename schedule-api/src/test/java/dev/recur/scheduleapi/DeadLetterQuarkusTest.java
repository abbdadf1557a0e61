package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import dev.recur.common.event.DeliveryDeadLetter;
import dev.recur.common.event.DeliveryKind;
import dev.recur.common.event.DeliveryReplay;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.common.json.EventSerializer;
import dev.recur.testinfra.Infra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Dead letters from recur.delivery-dlq in GET /v1/dead-letters, and their replays as commands on
 * recur.delivery-replays: a user sees and replays only their schedules' dead letters, an administrator everyone's.
 */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class DeadLetterQuarkusTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant FIRST = Instant.parse("2026-11-29T16:00:10Z");

    @Test
    void shouldListAndReplayOnlyTheOwnersDeadLettersAndEveryoneForAnAdministrator() {
        String alice = Api.newUser();
        String bob = Api.newUser();
        long scheduleId = Api.createSchedule(alice);
        long runId = Ids.runId(scheduleId, Instant.parse("2026-11-29T16:00:00Z"));
        long jobId = Ids.jobId(runId, 0);
        long otherJob = Ids.jobId(runId, 1);
        DeliveryDeadLetter letter = DeliveryDeadLetter.of(
                jobId,
                scheduleId,
                runId,
                alice,
                DeliveryKind.CALLBACK,
                "https://hooks.example.com/recur?…",
                10,
                FIRST,
                FIRST.plusSeconds(7_650),
                503,
                "callback answered 503 Service Unavailable");

        try (KafkaConsumer<String, byte[]> replays = atEnd(Topics.DELIVERY_REPLAYS)) {
            publish(letter);
            await().atMost(WAIT)
                    .untilAsserted(() -> as(alice)
                            .get("/v1/dead-letters")
                            .then()
                            .statusCode(200)
                            .body("dead_letters.job_id_str", hasItem(Long.toString(jobId))));
            long id = as(alice)
                    .get("/v1/dead-letters")
                    .then()
                    .extract()
                    .jsonPath()
                    .getLong("dead_letters.find { it.job_id_str == '" + jobId + "' }.id");
            as(alice)
                    .get("/v1/dead-letters/" + id)
                    .then()
                    .statusCode(200)
                    .body("kind", equalTo("callback"))
                    .body("attempts", equalTo(10))
                    .body("last_status_code", equalTo(503))
                    .body("state", equalTo("dead"))
                    .body("reason", equalTo("callback answered 503 Service Unavailable"))
                    .body("last_attempt_at", equalTo("2026-11-29 18:07:40"))
                    .body("schedule_id_str", equalTo(Long.toString(scheduleId)));

            // another tenant neither sees nor replays it; an administrator sees it
            as(bob).get("/v1/dead-letters")
                    .then()
                    .statusCode(200)
                    .body("dead_letters.id", not(hasItem((int) id)))
                    .body("total", equalTo(0));
            as(bob).get("/v1/dead-letters/" + id).then().statusCode(404);
            as(bob).post("/v1/dead-letters/" + id + "/replay").then().statusCode(404);
            admin().get("/v1/dead-letters/" + id).then().statusCode(200).body("owner", equalTo(alice));
            given().get("/v1/dead-letters").then().statusCode(401);

            as(alice)
                    .post("/v1/dead-letters/" + id + "/replay")
                    .then()
                    .statusCode(202)
                    .body("state", equalTo("replay_requested"))
                    .body("replay_requested_by", equalTo(alice));
            as(alice).post("/v1/dead-letters/" + id + "/replay").then().statusCode(409);
            admin().post("/v1/dead-letters/" + id + "/replay").then().statusCode(409);

            // one command, through the outbox
            List<DeliveryReplay> commands = new ArrayList<>();
            await().atMost(WAIT).untilAsserted(() -> {
                replays.poll(Duration.ofMillis(200))
                        .forEach(r -> commands.add(EventJson.read(r.value(), DeliveryReplay.class)));
                assertThat(commands).filteredOn(c -> c.jobId() == jobId).hasSize(1);
            });
            DeliveryReplay command = commands.stream()
                    .filter(c -> c.jobId() == jobId)
                    .findFirst()
                    .orElseThrow();
            assertThat(UUID.fromString(command.replayId())).isNotNull();
            assertThat(command.owner()).isEqualTo(alice);
            assertThat(command.requestedBy()).isEqualTo(alice);
            assertThat(command.kind()).isEqualTo(DeliveryKind.CALLBACK);
            assertThat(command.scheduleId()).isEqualTo(scheduleId);

            // the same dead letter consumed again changes nothing; a newer one (the replay failed again) ends the
            // request, and an administrator may replay it
            DeliveryDeadLetter marker = DeliveryDeadLetter.of(
                    otherJob,
                    scheduleId,
                    runId,
                    alice,
                    DeliveryKind.S3,
                    "s3://bucket/prefix",
                    1,
                    FIRST,
                    FIRST,
                    null,
                    "access denied");
            publish(letter, marker);
            await().atMost(WAIT)
                    .untilAsserted(() -> as(alice)
                            .get("/v1/dead-letters")
                            .then()
                            .body("dead_letters.job_id_str", hasItem(Long.toString(otherJob))));
            as(alice).get("/v1/dead-letters/" + id).then().body("state", equalTo("replay_requested"));
            publish(DeliveryDeadLetter.of(
                    jobId,
                    scheduleId,
                    runId,
                    alice,
                    DeliveryKind.CALLBACK,
                    "https://hooks.example.com/recur?…",
                    10,
                    FIRST.plusSeconds(86_400),
                    FIRST.plusSeconds(90_000),
                    500,
                    "callback answered 500"));
            await().atMost(WAIT)
                    .untilAsserted(() -> as(alice)
                            .get("/v1/dead-letters/" + id)
                            .then()
                            .body("state", equalTo("dead"))
                            .body("last_status_code", equalTo(500)));
            admin().post("/v1/dead-letters/" + id + "/replay")
                    .then()
                    .statusCode(202)
                    .body("replay_requested_by", equalTo(Api.ADMIN));
            await().atMost(WAIT).untilAsserted(() -> {
                replays.poll(Duration.ofMillis(200))
                        .forEach(r -> commands.add(EventJson.read(r.value(), DeliveryReplay.class)));
                assertThat(commands)
                        .filteredOn(c -> c.jobId() == jobId)
                        .hasSize(2)
                        .extracting(DeliveryReplay::requestedBy)
                        .containsExactly(alice, Api.ADMIN);
            });
        }
    }

    @Test
    void shouldAnswerTheSameJsonAndPageByCursorAsByPageWhenDeadLettersAreListed() {
        String carol = Api.newUser();
        long scheduleId = Api.createSchedule(carol);
        long runId = Ids.runId(scheduleId, Instant.parse("2026-11-29T16:00:00Z"));
        List<DeliveryDeadLetter> letters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            letters.add(DeliveryDeadLetter.of(
                    Ids.jobId(runId, i),
                    scheduleId,
                    runId,
                    carol,
                    DeliveryKind.S3,
                    "s3://bucket/prefix",
                    1,
                    FIRST,
                    // the last two at the same instant: the order breaks the tie by id
                    FIRST.plusSeconds(i == 0 ? 0 : 60),
                    null,
                    "access denied"));
        }
        publish(letters.toArray(DeliveryDeadLetter[]::new));
        await().atMost(WAIT)
                .untilAsserted(() ->
                        as(carol).get("/v1/dead-letters").then().statusCode(200).body("total", equalTo(3)));
        String all = as(carol).get("/v1/dead-letters").asString();
        long id = JsonPath.from(all).getLong("dead_letters[2].id");
        long jobId = Ids.jobId(runId, 0);
        String letter = "{\"id\":" + id + ",\"job_id\":" + jobId + ",\"job_id_str\":\"" + jobId + "\",\"schedule_id\":"
                + scheduleId + ",\"schedule_id_str\":\"" + scheduleId + "\",\"run_id\":" + runId
                + ",\"run_id_str\":\"" + runId + "\",\"owner\":\"" + carol + "\",\"kind\":\"s3\","
                + "\"target\":\"s3://bucket/prefix\",\"attempts\":1,\"first_attempt_at\":\"2026-11-29 16:00:10\","
                + "\"last_attempt_at\":\"2026-11-29 16:00:10\",\"last_status_code\":null,\"reason\":\"access denied\","
                + "\"state\":\"dead\"}";
        assertThat(as(carol).get("/v1/dead-letters/" + id).asString()).isEqualTo(letter);
        assertThat(all).endsWith(letter + "],\"total\":3}");

        // limit and cursor give the pages of page and limit; next_cursor only while a next page exists
        JsonPath first = JsonPath.from(list(carol, 200, "limit", "2"));
        assertThat(first.getString("dead_letters"))
                .isEqualTo(JsonPath.from(list(carol, 200, "limit", "2", "page", "1"))
                        .getString("dead_letters"));
        String second = list(carol, 200, "limit", "2", "cursor", first.getString("next_cursor"));
        assertThat(second)
                .isEqualTo(list(carol, 200, "limit", "2", "page", "2"))
                .isEqualTo("{\"dead_letters\":[" + letter + "],\"total\":3}");
        assertThat(JsonPath.from(list(carol, 400, "cursor", "1.1", "page", "1")).getString("errors[0].field"))
                .isEqualTo("cursor");
        assertThat(JsonPath.from(list(carol, 400, "cursor", "x")).getString("errors[0].field"))
                .isEqualTo("cursor");

        // the replay's answer: the dead letter with its request
        var replay = as(carol).post("/v1/dead-letters/" + id + "/replay");
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(replay.asString())
                .startsWith(letter.replace("\"state\":\"dead\"}", "\"state\":\"replay_requested\",\"replay_id\":\""))
                .containsPattern(
                        ",\"replay_requested_at\":\"[0-9: -]{19}\",\"replay_requested_by\":\"" + carol + "\"}$");
    }

    /** The answer of GET /v1/dead-letters with the query parameters {@code nameValues}, of the status expected. */
    private static String list(String user, int status, String... nameValues) {
        RequestSpecification request = as(user);
        for (int i = 0; i < nameValues.length; i += 2) {
            request.queryParam(nameValues[i], nameValues[i + 1]);
        }
        return request.get("/v1/dead-letters")
                .then()
                .statusCode(status)
                .extract()
                .asString();
    }

    private static RequestSpecification admin() {
        return given().auth().preemptive().basic(Api.ADMIN, Api.ADMIN_PASSWORD).contentType("application/json");
    }

    private static void publish(DeliveryDeadLetter... letters) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        try (KafkaProducer<String, DeliveryDeadLetter> producer =
                new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>())) {
            for (DeliveryDeadLetter letter : letters) {
                producer.send(new ProducerRecord<>(Topics.DELIVERY_DLQ, Topics.key(letter.scheduleId()), letter));
            }
            producer.flush();
        }
    }

    private static KafkaConsumer<String, byte[]> atEnd(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }
}
