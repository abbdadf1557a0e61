package dev.recur.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventSerializer;
import dev.recur.common.trace.Tracing;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.trace.TestTracing;
import dev.recur.testinfra.trace.TracedProfile;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * With tracing on, a job's deliveries are spans of the job's trace: the job result's {@code traceparent} header (the
 * job span in job-runner) is the parent of the S3 PUT's and the callback POST's spans.
 */
@QuarkusTest
@TestProfile(TracedProfile.class)
@QuarkusTestResource(DeliveryTestResources.class)
class TracingQuarkusTest {

    /** job-runner's span of the job, as the result record's header. */
    private static final String JOB = "00-5bf92f3577b34da6a3ce929d0e0e4737-10f067aa0ba902b8-01";

    @Test
    void shouldTraceTheUploadAndTheCallbackInTheJobsTrace() {
        String path = "/traced/" + UUID.randomUUID();
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        JobResult job = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item()
                        .put("callback_url", CallbackReceiverResource.url(path))
                        .put("storage_type", "s3")
                        .put("storage_url", "s3://user-bucket/traced-" + UUID.randomUUID() + "/"),
                200,
                JobStatus.DONE);

        publish(job, JOB);

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(deliverySpans(job)).hasSize(2));
        List<SpanData> spans = deliverySpans(job);
        assertThat(spans).extracting(SpanData::getName).containsExactlyInAnyOrder("callback POST", "s3 PUT");
        for (SpanData span : spans) {
            assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(span.getTraceId()).as("the job's trace").isEqualTo(TestTracing.traceId(JOB));
            assertThat(span.getParentSpanId()).as("under the job's span").isEqualTo(TestTracing.spanId(JOB));
        }
        assertThat(spans)
                .filteredOn(s -> s.getName().equals("callback POST"))
                .singleElement()
                .satisfies(s -> assertThat(s.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
                        .isEqualTo(200L));
        // the receiver is not told about the deployment's traces
        assertThat(CallbackReceiverResource.server().findAll(postRequestedFor(urlEqualTo(path))))
                .singleElement()
                .satisfies(r -> assertThat(r.containsHeader("traceparent")).isFalse());
    }

    private static List<SpanData> deliverySpans(JobResult job) {
        return TestTracing.SPANS.getFinishedSpanItems().stream()
                .filter(s ->
                        Long.valueOf(job.jobId()).equals(s.getAttributes().get(AttributeKey.longKey("recur.job_id"))))
                .toList();
    }

    private static void publish(JobResult result, String traceparent) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        try (KafkaProducer<String, JobResult> producer =
                new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>())) {
            ProducerRecord<String, JobResult> record =
                    new ProducerRecord<>(Topics.JOB_RESULTS, Topics.key(result.scheduleId()), result);
            record.headers().add(Tracing.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
            producer.send(record);
            producer.flush();
        }
    }
}
