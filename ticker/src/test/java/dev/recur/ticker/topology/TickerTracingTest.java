package dev.recur.ticker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.common.trace.Tracing;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.trace.TestTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * A run's trace: the ticker starts it when the run is due, as a span of its own linked to the trace of the request
 * that made the schedule's revision (the snapshot record's {@code traceparent}), and every record of the run carries
 * the run span's context.
 */
class TickerTracingTest {

    private static final String CREATED = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:30Z");
    private static final Instant DUE = Instant.parse("2026-03-02T10:01:00Z");

    private final TestTracing traces = new TestTracing();

    @Test
    void shouldStartEachRunsTraceLinkedToTheSchedulesAndCarryItInEveryRecordOfTheRun() throws Exception {
        // a run of 3 slices: each record carries the run's one context
        List<TestRecord<String, byte[]>> records =
                run(traces.tracing(), TickerDriver.DEFAULTS.withSliceBudgetBytes(100), CREATED, 3);

        assertThat(records).hasSize(3);
        assertThat(traces.spans()).hasSize(1);
        SpanData span = traces.spans().get(0);
        assertThat(span.getName()).isEqualTo("recur.due-runs publish");
        assertThat(span.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(span.getParentSpanContext().isValid())
                .as("a run starts a trace of its own")
                .isFalse();
        assertThat(span.getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo(TestTracing.traceId(CREATED));
            assertThat(link.getSpanContext().getSpanId()).isEqualTo(TestTracing.spanId(CREATED));
        });
        assertThat(span.getAttributes().asMap()).containsValue(Ids.runId(7, DUE));
        for (TestRecord<String, byte[]> record : records) {
            String traceparent = traceparent(record);
            assertThat(TestTracing.traceId(traceparent)).isEqualTo(span.getTraceId());
            assertThat(TestTracing.spanId(traceparent)).isEqualTo(span.getSpanId());
        }
    }

    @Test
    void shouldStartARunsTraceWithoutALinkWhenTheScheduleCameWithoutOne() throws Exception {
        List<TestRecord<String, byte[]>> records = run(traces.tracing(), TickerDriver.DEFAULTS, null, 1);

        assertThat(traces.spans()).singleElement().satisfies(span -> {
            assertThat(span.getLinks()).isEmpty();
            assertThat(TestTracing.traceId(traceparent(records.get(0)))).isEqualTo(span.getTraceId());
        });
    }

    @Test
    void shouldCarryNothingWhenTracingIsOff() throws Exception {
        List<TestRecord<String, byte[]>> records = run(Tracing.off(), TickerDriver.DEFAULTS, CREATED, 1);

        assertThat(records)
                .singleElement()
                .satisfies(r -> assertThat(r.headers().toArray()).isEmpty());
    }

    /** A schedule firing every minute, created with {@code traceparent}, run at its first minute. */
    private static List<TestRecord<String, byte[]>> run(
            Tracing tracing, TickerSettings settings, String traceparent, int items) throws Exception {
        MutableClock clock = new MutableClock(T0);
        Path stateDir = Files.createTempDirectory("ticker-tracing");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ticker-tracing-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(
                TickerTopology.build(settings, clock, new TickerMetrics(new SimpleMeterRegistry()), false, tracing),
                props,
                T0)) {
            TestInputTopic<String, byte[]> schedules = driver.createInputTopic(
                    settings.schedulesTopic(), new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, byte[]> dueRuns = driver.createOutputTopic(
                    settings.dueRunsTopic(), new StringDeserializer(), new ByteArrayDeserializer());
            RecordHeaders headers = new RecordHeaders();
            if (traceparent != null) {
                headers.add(Tracing.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
            }
            schedules.pipeInput(new TestRecord<>(
                    "7",
                    EventJson.write(Snapshots.schedule(7, "* * * * *")
                            .items(Snapshots.items(items))
                            .snapshot()),
                    headers,
                    T0));
            clock.set(DUE.plusMillis(500));
            driver.advanceWallClockTime(Duration.between(T0, DUE.plusMillis(500)));
            return dueRuns.readRecordsToList();
        } finally {
            Infra.deleteRecursively(stateDir);
        }
    }

    private static String traceparent(TestRecord<String, byte[]> record) {
        Header header = record.headers().lastHeader(Tracing.TRACEPARENT);
        assertThat(header).as("the record's traceparent header").isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
