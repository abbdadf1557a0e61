package dev.recur.ticker.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.recur.common.event.DueRun;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Fan-out: N schedules ({@code * * * * *}, one small item) all due in the same minute, on the real broker with
 * exactly-once v2 and RocksDB stores. Prints the time from the minute boundary to the last committed due-run, the
 * rate, CPU per due-run of the ticker and the broker, the records and bytes one due-run writes, heap and state per
 * schedule, and {@code kafka-producer-perf-test} on the same broker with the same records (plain and
 * transactional). Run: {@code ./mvnw -B -o -pl ticker test -Drecur.excludedGroups=none -Dgroups=benchmark
 * -Dtest=TickerFanOutBenchmarkTest -Dticker.benchmark.sizes=100000,1000000}.
 */
@Tag("benchmark")
class TickerFanOutBenchmarkTest {

    private static final Instant LOADING = Instant.parse("2026-11-28T12:00:30Z");
    private static final Instant BOUNDARY = Instant.parse("2026-11-28T12:01:00Z");
    private static final String BOUNDARY_TEXT = BOUNDARY.toString();
    private static final int PAYLOADS = 10_000;

    @Test
    void shouldPublishAllRunsOfOneMinuteWhenManySchedulesAreDue() throws Exception {
        for (String size : System.getProperty("ticker.benchmark.sizes", "100000").split(",")) {
            fanOut(Integer.parseInt(size.strip()));
        }
    }

    private void fanOut(int schedules) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String applicationId = "ticker-bench-" + suffix;
        TickerSettings settings = TickerDriver.DEFAULTS.withTopics("bench.schedules." + suffix,
                "bench.due-runs." + suffix).withTick(Duration.parse(System.getProperty("ticker.benchmark.tick", "PT0.25S")),
                Integer.getInteger("ticker.benchmark.cap", 20_000));
        Bench.broker().createTopic(settings.schedulesTopic(), Bench.PARTITIONS, Map.of("cleanup.policy", "compact"));
        Bench.broker().createTopic(settings.dueRunsTopic(), Bench.PARTITIONS, Map.of());
        System.out.printf("%n== ticker fan-out, %,d schedules; %s ==%n", schedules, Bench.load());

        long loadStart = System.nanoTime();
        Snapshots.Template snapshot = Snapshots.schedule(1, "* * * * *").template();
        try (KafkaProducer<String, byte[]> producer = Bench.loader()) {
            for (long id = 1; id <= schedules; id++) {
                producer.send(new ProducerRecord<>(settings.schedulesTopic(), Topics.key(id), snapshot.of(id)));
            }
        }
        double produceSeconds = (System.nanoTime() - loadStart) / 1e9;

        long heapBefore = Bench.usedHeap();
        Path stateDir = Files.createTempDirectory("ticker-bench");
        SwitchableClock clock = new SwitchableClock(LOADING);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaStreams streams = new KafkaStreams(TickerTopology.build(settings, clock, new TickerMetrics(registry)),
                Bench.streamsProps(applicationId, stateDir));
        streams.start();
        try (KafkaConsumer<String, byte[]> reader = Bench.committedReader(settings.dueRunsTopic())) {
            await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> Bench.consumed(applicationId, settings.schedulesTopic()));
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            long heapLoaded = Bench.usedHeap();
            reader.poll(Duration.ofMillis(500));
            List<String> written = List.of(settings.dueRunsTopic(), applicationId + "-schedules-changelog",
                    applicationId + "-plans-changelog", applicationId + "-progress-changelog");
            long[] offsetsBefore = written.stream().mapToLong(Bench::endOffsets).toArray();
            long[] bytesBefore = written.stream().mapToLong(Bench::logBytes).toArray();

            Bench.Cpu cpuBefore = Bench.Cpu.now();
            long boundary = System.nanoTime();
            clock.release(BOUNDARY);
            // a bit per schedule id: a set of a million boxed ids made the reader's garbage, and the GC, part of
            // the ticker's figures
            BitSet published = new BitSet(schedules + 1);
            long lastSeen = boundary;
            while (published.cardinality() < schedules
                    && System.nanoTime() - boundary < Duration.ofMinutes(10).toNanos()) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(100))) {
                    int id = Integer.parseInt(record.key());
                    if (Bench.scheduledFor(record.value()).equals(BOUNDARY_TEXT) && !published.get(id)) {
                        published.set(id);
                        lastSeen = System.nanoTime();
                    }
                }
            }
            Bench.Cpu cpuAfter = Bench.Cpu.now();
            double tickSeconds = (lastSeen - boundary) / 1e9;
            String afterTick = Bench.load();
            StringBuilder perRun = new StringBuilder();
            for (int i = 0; i < written.size(); i++) {
                perRun.append(String.format("%n  %s: %.2f records (offsets incl. transaction markers), %.0f B on disk",
                        written.get(i), (Bench.endOffsets(written.get(i)) - offsetsBefore[i]) / (double) schedules,
                        (Bench.logBytes(written.get(i)) - bytesBefore[i]) / (double) schedules));
            }
            double latenessP99 = registry.get("recur.ticker.publish.lateness").timer().takeSnapshot()
                    .percentileValues()[1].value(java.util.concurrent.TimeUnit.SECONDS);
            streams.close(Duration.ofSeconds(60));
            long stateBytes = Bench.sizeOf(stateDir);

            Path payloads = payloadFile();
            String raw = "bench.raw." + suffix;
            Bench.createWritableTopic(raw);
            Bench.PerfResult plain = Bench.producerPerformance(raw, schedules, payloads, null);
            String rawTx = "bench.raw-tx." + suffix;
            Bench.createWritableTopic(rawTx);
            Bench.PerfResult transactional = Bench.producerPerformance(rawTx, schedules, payloads,
                    "bench-perf-" + suffix);
            double rate = published.cardinality() / tickSeconds;

            System.out.printf("snapshots produced in %.1f s; ticker loaded them (RUNNING, lag 0) %.1f s after the start%n",
                    produceSeconds, loadSeconds);
            System.out.printf("minute boundary -> last due-run committed: %.2f s (%,d of %,d runs); %s%n", tickSeconds,
                    published.cardinality(), schedules, afterTick);
            System.out.printf("due-runs/s: %,.0f%n", rate);
            System.out.println(cpuAfter.perRun(cpuBefore, published.cardinality()));
            System.out.println("written per due-run:" + perRun);
            System.out.printf("kafka-producer-perf-test, same broker, same records (%d B, lz4, acks=all): %s%n",
                    EventJson.write(sampleRun(1)).length, plain.describe());
            System.out.printf("kafka-producer-perf-test, transactional (a commit per 100 ms): %s%n",
                    transactional.describe());
            System.out.printf("ratio ticker / producer-perf-test: %.2f (transactional: %.2f)%n",
                    rate / plain.recordsPerSecond(), rate / transactional.recordsPerSecond());
            System.out.printf("heap after loading - before, per schedule: %,d B%n",
                    (heapLoaded - heapBefore) / schedules);
            System.out.printf("state dir (RocksDB, after close) per schedule: %,d B%n", stateBytes / schedules);
            System.out.printf("p99 publish lateness (ticker's timer): %.2f s; %s%n", latenessP99, Bench.load());
            assertThat(published.cardinality()).isEqualTo(schedules);
        } finally {
            streams.close(Duration.ofSeconds(60));
        }
    }

    private static DueRun sampleRun(long scheduleId) {
        return DueRun.of(Ids.runId(scheduleId, BOUNDARY), scheduleId, "alice", BOUNDARY, BOUNDARY, false, 0, 1, 0, 1,
                Snapshots.items(1), BOUNDARY.plusMillis(1234));
    }

    /** Due-runs as the ticker writes them, one per line, for kafka-producer-perf-test's --payload-file. */
    private static Path payloadFile() throws Exception {
        List<String> lines = new ArrayList<>();
        for (long id = 1; id <= PAYLOADS; id++) {
            lines.add(new String(EventJson.write(sampleRun(id)), java.nio.charset.StandardCharsets.UTF_8));
        }
        Path file = Files.createTempFile("due-runs", ".jsonl");
        Files.write(file, lines);
        return file;
    }
}
