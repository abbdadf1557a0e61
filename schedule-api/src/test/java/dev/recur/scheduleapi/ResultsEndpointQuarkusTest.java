package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Properties;

import dev.recur.common.event.JobRecord;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.common.json.EventSerializer;
import dev.recur.testinfra.Infra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code GET /v1/queries/{id}/results} reads only the results bucket's {@code results/} objects, whatever bucket or key
 * a job-history record names, and streams what it reads.
 */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class ResultsEndpointQuarkusTest {

    private static final Instant RUN = Instant.parse("2026-11-30T17:00:00Z");

    @Test
    void shouldReadResultsOnlyFromTheResultsBucketsResultsPrefixWhateverTheRecordNames() throws Exception {
        String owner = Api.newUser();
        long scheduleId = Api.createSchedule(owner);
        long runId = Ids.runId(scheduleId, RUN);
        long foreignBucketJob = Ids.jobId(runId, 0);
        long claimKeyJob = Ids.jobId(runId, 1);
        long escapingKeyJob = Ids.jobId(runId, 2);
        long largeJob = Ids.jobId(runId, 3);
        byte[] large = new byte[12 * 1024 * 1024 + 7];
        Arrays.fill(large, (byte) 'x');
        byte[] start = "{\"results\":[{\"content\":\"".getBytes();
        System.arraycopy(start, 0, large, 0, start.length);
        byte[] end = "\"}]}".getBytes();
        System.arraycopy(end, 0, large, large.length - end.length, end.length);
        try (S3Client s3 = Infra.s3().client()) {
            s3.putObject(b -> b.bucket("tenant-private").key("secret.json"), RequestBody.fromString("TOP SECRET"));
            s3.putObject(
                    b -> b.bucket("recur-results").key("claims/" + claimKeyJob + ".json"),
                    RequestBody.fromString("[{\"content\":\"a claim check, not a results document\"}]"));
            s3.putObject(
                    b -> b.bucket("recur-results").key("other/" + escapingKeyJob + ".json"),
                    RequestBody.fromString("{\"results\":[{\"content\":\"outside results/\"}]}"));
            s3.putObject(
                    b -> b.bucket("recur-results").key("results/" + largeJob + ".json"), RequestBody.fromBytes(large));
        }
        try (KafkaProducer<String, Object> producer = producer()) {
            publish(
                    producer,
                    job(
                            scheduleId,
                            owner,
                            runId,
                            0,
                            new ResultsRef("tenant-private", "secret.json", 10, "application/json", null)));
            publish(
                    producer,
                    job(
                            scheduleId,
                            owner,
                            runId,
                            1,
                            new ResultsRef(
                                    "recur-results", "claims/" + claimKeyJob + ".json", 10, "application/json", null)));
            publish(
                    producer,
                    job(
                            scheduleId,
                            owner,
                            runId,
                            2,
                            new ResultsRef(
                                    "recur-results",
                                    "results/../other/" + escapingKeyJob + ".json",
                                    10,
                                    "application/json",
                                    null)));
            publish(
                    producer,
                    job(
                            scheduleId,
                            owner,
                            runId,
                            3,
                            new ResultsRef(
                                    "recur-results",
                                    "results/" + largeJob + ".json",
                                    large.length,
                                    "application/json",
                                    null)));
            producer.flush();
        }
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> as(owner).get("/v1/queries/" + largeJob).then().statusCode(200));

        for (long refused : new long[] {foreignBucketJob, claimKeyJob, escapingKeyJob}) {
            var response = as(owner).get("/v1/queries/" + refused + "/results");
            assertThat(response.statusCode()).as("job %d", refused).isEqualTo(204);
            assertThat(response.asString())
                    .doesNotContain("SECRET")
                    .doesNotContain("claim check")
                    .doesNotContain("outside");
        }

        var streamed = as(owner)
                .get("/v1/queries/" + largeJob + "/results")
                .then()
                .statusCode(200)
                .extract();
        assertThat(streamed.header("Content-Length")).isEqualTo(Integer.toString(large.length));
        long length;
        try (InputStream body = streamed.asInputStream()) {
            length = body.transferTo(OutputStream.nullOutputStream());
        }
        assertThat(length).isEqualTo(large.length);
    }

    private static JobRecord job(long scheduleId, String owner, long runId, int index, ResultsRef ref) {
        var item =
                EventJson.mapper().createObjectNode().put("source", "universal").put("url", "https://a.example");
        return JobRecord.of(
                Ids.jobId(runId, index),
                runId,
                scheduleId,
                owner,
                RUN,
                index,
                item,
                200,
                JobStatus.DONE,
                null,
                RUN.plusSeconds(1),
                RUN.plusSeconds(9),
                ref);
    }

    private static void publish(KafkaProducer<String, Object> producer, JobRecord record) {
        producer.send(new ProducerRecord<>(Topics.JOB_HISTORY, Topics.key(record.jobId()), record));
    }

    private static KafkaProducer<String, Object> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>());
    }
}
