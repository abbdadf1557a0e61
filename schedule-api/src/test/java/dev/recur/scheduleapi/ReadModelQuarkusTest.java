package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobRecord;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.event.ScheduleStats;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.common.json.EventSerializer;
import dev.recur.testinfra.Infra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Statistics and job history published by delivery show up in the schedule, runs, jobs and queries endpoints. */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class ReadModelQuarkusTest {

    static final Instant FIRST_RUN = Instant.parse("2026-11-29T16:00:00Z");
    static final Instant SECOND_RUN = Instant.parse("2026-11-30T16:00:00Z");

    @Test
    void shouldServeStatsRunsJobsAndResultsWhenDeliveryPublishedThem() {
        String owner = Api.newUser();
        String stranger = Api.newUser();
        long scheduleId = Api.createSchedule(owner);
        long firstRun = Ids.runId(scheduleId, FIRST_RUN);
        long secondRun = Ids.runId(scheduleId, SECOND_RUN);
        long doneJob = Ids.jobId(secondRun, 0);
        String resultsBody =
                "{\"results\":[{\"content\":\"<html>ok</html>\",\"status_code\":200,\"url\":\"https://a.example\",\"page\":1,"
                        + "\"created_at\":\"2026-11-30 16:00:05\",\"updated_at\":\"2026-11-30 16:00:06\",\"job_id\":\"x1\"}]}";
        // the done job's document is a line of a results pack, between two other jobs' documents
        String packKey = "results/packs/" + System.currentTimeMillis() + "-" + doneJob + "-0000abcd.ndjson";
        String before = "{\"results\":[{\"content\":\"another job\"}]}\n";
        String pack = before + resultsBody + "\n{\"results\":[]}\n";
        // a job of the first run has its document alone in an object
        long aloneJob = Ids.jobId(firstRun, 1);
        String aloneKey = "results/" + aloneJob + ".json";
        String aloneBody = "{\"results\":[{\"content\":\"alone\"}]}";
        try (S3Client s3 = Infra.s3().client()) {
            s3.putObject(
                    b -> b.bucket("recur-results").key(packKey).contentType("application/x-ndjson"),
                    RequestBody.fromString(pack));
            s3.putObject(
                    b -> b.bucket("recur-results").key(aloneKey).contentType("application/json"),
                    RequestBody.fromString(aloneBody));
        }

        try (KafkaProducer<String, Object> producer = producer()) {
            producer.send(new ProducerRecord<>(
                    Topics.SCHEDULE_STATS,
                    Topics.key(scheduleId),
                    ScheduleStats.of(
                            scheduleId,
                            owner,
                            4,
                            List.of(new ScheduleStats.CreateOutcome(202, 4, 1)),
                            List.of(
                                    new ScheduleStats.ResultOutcome("done", 3, 0.75),
                                    new ScheduleStats.ResultOutcome("faulted", 1, 0.25)),
                            SECOND_RUN.plusSeconds(30),
                            31)));
            publish(producer, job(scheduleId, owner, firstRun, FIRST_RUN, 0, JobStatus.DONE, null));
            publish(
                    producer,
                    job(
                            scheduleId,
                            owner,
                            firstRun,
                            FIRST_RUN,
                            1,
                            JobStatus.DONE,
                            new ResultsRef("recur-results", aloneKey, aloneBody.length(), "application/json", null)));
            publish(
                    producer,
                    job(
                            scheduleId,
                            owner,
                            secondRun,
                            SECOND_RUN,
                            0,
                            JobStatus.DONE,
                            new ResultsRef(
                                    "recur-results", packKey, resultsBody.length(), "application/json", null, (long)
                                            before.length())));
            publish(producer, job(scheduleId, owner, secondRun, SECOND_RUN, 1, JobStatus.FAULTED, null));
            // a redelivered record must not add a job
            publish(producer, job(scheduleId, owner, secondRun, SECOND_RUN, 1, JobStatus.FAULTED, null));
            producer.flush();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            as(owner)
                    .get("/v1/schedules/" + scheduleId)
                    .then()
                    .statusCode(200)
                    .body("stats.total_job_count", equalTo(4))
                    .body("stats.job_create_outcomes[0].status_code", equalTo(202))
                    .body("stats.job_result_outcomes[1].status", equalTo("faulted"))
                    .body("stats.skipped_run_count", equalTo(31));
            as(owner)
                    .get("/v1/schedules/" + scheduleId + "/jobs")
                    .then()
                    .statusCode(200)
                    .body("jobs.size()", equalTo(4));
        });

        String runsRaw = as(owner)
                .get("/v1/schedules/" + scheduleId + "/runs")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonPath runs = JsonPath.from(runsRaw);
        assertThat(runs.getList("runs.run_id_str")).containsExactly(Long.toString(secondRun), Long.toString(firstRun));
        assertThat(runs.getString("runs[0].scheduled_for")).isEqualTo("2026-11-30 16:00:00");
        assertThat(runs.getDouble("runs[0].success_rate")).isEqualTo(0.5);
        assertThat(runs.getDouble("runs[1].success_rate")).isEqualTo(1.0);
        assertThat(runs.getList("runs[0].jobs.id_str"))
                .containsExactly(Long.toString(doneJob), Long.toString(Ids.jobId(secondRun, 1)));
        assertThat(runs.getString("runs[0].jobs[0].result_status")).isEqualTo("done");
        assertThat(runs.getInt("runs[0].jobs[0].create_status_code")).isEqualTo(202);
        assertThat(runsRaw).contains("\"run_id\":" + secondRun);
        assertThat(JsonPath.from(as(owner)
                                .queryParam("limit", 1)
                                .queryParam("page", 2)
                                .get("/v1/schedules/" + scheduleId + "/runs")
                                .asString())
                        .getList("runs.run_id_str"))
                .containsExactly(Long.toString(firstRun));
        // a page whose offset (page - 1) x limit does not fit an int is past the last row: empty, not a 500
        for (String list : List.of("runs", "jobs")) {
            as(owner)
                    .queryParam("limit", 100)
                    .queryParam("page", Integer.MAX_VALUE)
                    .get("/v1/schedules/" + scheduleId + "/" + list)
                    .then()
                    .statusCode(200)
                    .body(list + ".size()", equalTo(0));
        }

        JsonPath jobs = JsonPath.from(
                as(owner).get("/v1/schedules/" + scheduleId + "/jobs").asString());
        assertThat(jobs.getList("jobs.run_id_str")).containsOnly(Long.toString(firstRun), Long.toString(secondRun));

        String jobRaw = as(owner)
                .get("/v1/queries/" + doneJob)
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonPath job = JsonPath.from(jobRaw);
        assertThat(jobRaw).contains("\"id\":" + doneJob).contains("\"schedule_id\":" + scheduleId);
        assertThat(job.getString("status")).isEqualTo("done");
        assertThat(job.getString("source")).isEqualTo("amazon_product");
        assertThat(job.getString("query")).isEqualTo("B098FKXT8L");
        assertThat(job.getString("created_at")).isEqualTo("2026-11-30 16:00:01");
        assertThat(job.getString("updated_at")).isEqualTo("2026-11-30 16:00:09");
        assertThat(job.getString("_links[0].rel")).isEqualTo("self");
        assertThat(job.getString("_links[0].href")).endsWith("/v1/queries/" + doneJob);
        assertThat(job.getString("_links[1].href")).endsWith("/v1/queries/" + doneJob + "/results");

        String results = as(owner)
                .get("/v1/queries/" + doneJob + "/results")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(results).isEqualTo(resultsBody);
        assertThat(as(owner)
                        .get("/v1/queries/" + aloneJob + "/results")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString())
                .isEqualTo(aloneBody);
        as(owner)
                .get("/v1/queries/" + Ids.jobId(secondRun, 1) + "/results")
                .then()
                .statusCode(200)
                .body("results.size()", equalTo(0));
        // done, but no pages in the results store yet: API.md's 204 while the results are pending
        as(owner)
                .get("/v1/queries/" + Ids.jobId(firstRun, 0) + "/results")
                .then()
                .statusCode(204);
        as(owner).get("/v1/queries/" + Ids.jobId(secondRun, 7)).then().statusCode(404);
        as(owner)
                .get("/v1/queries/" + Ids.jobId(secondRun, 7) + "/results")
                .then()
                .statusCode(404);

        for (String path : List.of(
                "/v1/schedules/" + scheduleId + "/runs",
                "/v1/schedules/" + scheduleId + "/jobs",
                "/v1/queries/" + doneJob,
                "/v1/queries/" + doneJob + "/results")) {
            as(stranger).get(path).then().statusCode(404).body("message", org.hamcrest.Matchers.notNullValue());
        }

        // the history outlives the schedule
        as(owner).delete("/v1/schedules/" + scheduleId).then().statusCode(204);
        as(owner)
                .get("/v1/schedules/" + scheduleId + "/jobs")
                .then()
                .statusCode(200)
                .body("jobs.size()", equalTo(4));
        as(stranger).get("/v1/schedules/" + scheduleId + "/jobs").then().statusCode(404);
    }

    @Test
    void shouldShowJobsPendingWhenTheirRunIsDueUntilTheirRecordsArrive() {
        String owner = Api.newUser();
        String stranger = Api.newUser();
        long scheduleId = Api.createSchedule(owner);
        Instant minute = Instant.parse("2026-12-01T08:00:00Z");
        long runId = Ids.runId(scheduleId, minute);
        long first = Ids.jobId(runId, 0);
        long second = Ids.jobId(runId, 1);
        long third = Ids.jobId(runId, 2);
        ObjectNode item =
                EventJson.mapper().createObjectNode().put("source", "universal").put("url", "https://a.example");

        try (KafkaProducer<String, Object> producer = producer()) {
            // the third job's record overtakes its due run: the due run must not make it pending again
            publish(producer, job(scheduleId, owner, runId, minute, 2, JobStatus.DONE, null));
            producer.flush();
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> as(owner)
                            .get("/v1/queries/" + third)
                            .then()
                            .statusCode(200)
                            .body("status", equalTo("done")));
            // two slices of one run: items [0, 1) and [1, 3)
            producer.send(new ProducerRecord<>(
                    Topics.DUE_RUNS,
                    Topics.key(scheduleId),
                    DueRun.of(
                            runId,
                            scheduleId,
                            owner,
                            minute,
                            minute,
                            false,
                            0,
                            2,
                            0,
                            3,
                            List.of(item.deepCopy().put("n", 0)),
                            minute.plusMillis(40))));
            producer.send(new ProducerRecord<>(
                    Topics.DUE_RUNS,
                    Topics.key(scheduleId),
                    DueRun.of(
                            runId,
                            scheduleId,
                            owner,
                            minute,
                            minute,
                            false,
                            1,
                            2,
                            1,
                            3,
                            List.of(item.deepCopy().put("n", 1), item.deepCopy().put("n", 2)),
                            minute.plusMillis(40))));
            producer.flush();
        }

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> as(owner)
                        .get("/v1/queries/" + second)
                        .then()
                        .statusCode(200)
                        .body("status", equalTo("pending")));
        String pendingRaw = as(owner).get("/v1/queries/" + second).asString();
        JsonPath pending = JsonPath.from(pendingRaw);
        assertThat(pending.getString("url")).isEqualTo("https://a.example");
        assertThat(pending.getInt("n")).isEqualTo(1);
        assertThat(pending.getString("run_id_str")).isEqualTo(Long.toString(runId));
        assertThat(pending.getString("created_at")).isEqualTo("2026-12-01 08:00:00");
        assertThat(pendingRaw).doesNotContain("create_status_code");
        as(owner).get("/v1/queries/" + second + "/results").then().statusCode(204);
        as(stranger).get("/v1/queries/" + second).then().statusCode(404);

        JsonPath runs = JsonPath.from(
                as(owner).get("/v1/schedules/" + scheduleId + "/runs").asString());
        assertThat(runs.getList("runs.run_id_str")).containsExactly(Long.toString(runId));
        assertThat(runs.getString("runs[0].scheduled_for")).isEqualTo("2026-12-01 08:00:00");
        assertThat(runs.getList("runs[0].jobs.result_status")).containsExactly("pending", "pending", "done");

        // the records replace the pending jobs; a redelivered due run changes nothing
        try (KafkaProducer<String, Object> producer = producer()) {
            publish(producer, job(scheduleId, owner, runId, minute, 0, JobStatus.DONE, null));
            publish(producer, job(scheduleId, owner, runId, minute, 1, JobStatus.FAULTED, null));
            producer.flush();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                as(owner).get("/v1/queries/" + first).then().statusCode(200).body("status", equalTo("done"));
                as(owner)
                        .get("/v1/queries/" + second)
                        .then()
                        .statusCode(200)
                        .body("status", equalTo("faulted"))
                        .body("create_status_code", equalTo(202));
            });
            producer.send(new ProducerRecord<>(
                    Topics.DUE_RUNS,
                    Topics.key(scheduleId),
                    DueRun.of(
                            runId,
                            scheduleId,
                            owner,
                            minute,
                            minute,
                            false,
                            0,
                            2,
                            0,
                            3,
                            List.of(item.deepCopy().put("n", 0)),
                            minute.plusMillis(40))));
            Instant next = minute.plusSeconds(60);
            producer.send(new ProducerRecord<>(
                    Topics.DUE_RUNS,
                    Topics.key(scheduleId),
                    DueRun.of(
                            Ids.runId(scheduleId, next),
                            scheduleId,
                            owner,
                            next,
                            next,
                            false,
                            0,
                            1,
                            0,
                            1,
                            List.of(item),
                            next.plusMillis(40))));
            producer.flush();
        }
        // the next run's due run is in, so is the redelivered one before it (same key, same partition, in order)
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> as(owner)
                        .get("/v1/schedules/" + scheduleId + "/runs")
                        .then()
                        .statusCode(200)
                        .body("runs.size()", equalTo(2)));
        JsonPath after = JsonPath.from(
                as(owner).get("/v1/schedules/" + scheduleId + "/runs").asString());
        assertThat(after.getList("runs[1].jobs.result_status")).containsExactly("done", "faulted", "done");
        assertThat(after.getDouble("runs[1].success_rate")).isCloseTo(2.0 / 3, within(1e-6));
    }

    @Test
    void shouldListEveryJobOfASliceAsPendingWhenItHoldsMoreItemsThanOneStatementTakes() {
        String owner = Api.newUser();
        long scheduleId = Api.createSchedule(owner);
        Instant minute = Instant.parse("2026-12-02T08:00:00Z");
        long runId = Ids.runId(scheduleId, minute);
        int items = 6_001;
        List<ObjectNode> slice = java.util.stream.IntStream.range(0, items)
                .mapToObj(i -> EventJson.mapper()
                        .createObjectNode()
                        .put("source", "universal")
                        .put("url", "https://a.example/" + i))
                .toList();
        try (KafkaProducer<String, Object> producer = producer()) {
            producer.send(new ProducerRecord<>(
                    Topics.DUE_RUNS,
                    Topics.key(scheduleId),
                    DueRun.of(runId, scheduleId, owner, minute, minute, false, 0, 1, 0, items, slice, minute)));
            producer.flush();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int index : new int[] {0, 4_999, 5_000, items - 1}) {
                as(owner)
                        .get("/v1/queries/" + Ids.jobId(runId, index))
                        .then()
                        .statusCode(200)
                        .body("status", equalTo("pending"))
                        .body("url", equalTo("https://a.example/" + index));
            }
        });
        as(owner).get("/v1/queries/" + Ids.jobId(runId, items)).then().statusCode(404);
    }

    private static void publish(KafkaProducer<String, Object> producer, JobRecord record) {
        producer.send(new ProducerRecord<>(Topics.JOB_HISTORY, Topics.key(record.jobId()), record));
    }

    private static JobRecord job(
            long scheduleId,
            String owner,
            long runId,
            Instant scheduledFor,
            int index,
            JobStatus status,
            ResultsRef ref) {
        ObjectNode item = EventJson.mapper()
                .createObjectNode()
                .put("source", "amazon_product")
                .put("query", "B098FKXT8L")
                .put("parse", true);
        return JobRecord.of(
                Ids.jobId(runId, index),
                runId,
                scheduleId,
                owner,
                scheduledFor,
                index,
                item,
                202,
                status,
                status == JobStatus.FAULTED ? "scraper answered 500" : null,
                scheduledFor.plusSeconds(1),
                scheduledFor.plusSeconds(9),
                ref);
    }

    private static KafkaProducer<String, Object> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>());
    }
}
