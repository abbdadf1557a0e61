package dev.recur.ticker.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.recur.common.event.DueRun;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out: N schedules ({@code * * * * *}, one small item) all due in the same minute, on the real broker with
 * exactly-once v2 and RocksDB stores. Prints the time from the minute boundary to the last committed due-run, the
 * rate, CPU per due-run of the ticker and the broker, the records and bytes one due-run writes, heap and state per
 * schedule, and {@code kafka-producer-perf-test} on the same broker with the same records (plain and
 * transactional).
 *
 * <p>The clock is released at the first minute boundary and then runs at real speed; with
 * {@code -Dticker.benchmark.warmup=1} (the default) that minute is a warm-up and the next one, fired by the ticker's
 * own boundary tick, is measured: the service runs for days, and the JIT compiler threads' CPU, printed for each
 * minute, shows whether the code was still being compiled. When a run was committed is found without a consumer in
 * this JVM during the tick (see {@link CommitFollower}): afterwards the topic is read with {@code read_committed}, each
 * minute's runs are checked to be exactly the N schedules, once each, and the offsets of its last runs are looked up
 * in the last stable offsets followed every 10 ms. Run: {@code ./mvnw -B -o -pl ticker test
 * -Drecur.excludedGroups=none -Dgroups=benchmark -Dtest=TickerFanOutBenchmarkTest
 * -Dticker.benchmark.sizes=100000,1000000}.
 */
@Tag("benchmark")
class TickerFanOutBenchmarkTest {

    /** Kafka Streams state directories, deleted by JUnit after each test. */
    @TempDir
    Path tempDir;

    private static final Instant BOUNDARY = Bench.firstBoundary();
    private static final Instant LOADING = BOUNDARY.minusSeconds(30);
    // how often the benchmark looks at the due-runs' last stable offsets: the resolution of its figure
    private static final long FOLLOW_MILLIS = 10;
    private static final int PAYLOADS = 10_000;

    @Test
    void shouldPublishAllRunsOfOneMinuteWhenManySchedulesAreDue() throws Exception {
        for (String size :
                System.getProperty("ticker.benchmark.sizes", "100000").split(",")) {
            fanOut(Integer.parseInt(size.strip()));
        }
    }

    private void fanOut(int schedules) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String applicationId = "ticker-bench-" + suffix;
        TickerSettings settings = TickerDriver.DEFAULTS
                .withTopics("bench.schedules." + suffix, "bench.due-runs." + suffix)
                .withTick(
                        Duration.parse(System.getProperty("ticker.benchmark.tick", "PT0.25S")),
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
        Path stateDir = Files.createTempDirectory(tempDir, "ticker-bench");
        SwitchableClock clock = new SwitchableClock(LOADING);
        // the service's registry: it keeps the lateness timer's buckets, which a SimpleMeterRegistry drops
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        KafkaStreams streams = new KafkaStreams(
                TickerTopology.build(settings, clock, new TickerMetrics(registry)),
                Bench.streamsProps(applicationId, stateDir));
        streams.start();
        int warmUps = Integer.getInteger("ticker.benchmark.warmup", 1);
        Minute[] minutes = new Minute[warmUps + 1];
        double loadSeconds;
        long heapLoaded;
        long stateBytes;
        double latenessP99;
        List<String> written = List.of(
                settings.dueRunsTopic(),
                applicationId + "-schedules-changelog",
                applicationId + "-plans-changelog",
                applicationId + "-progress-changelog");
        long[] offsetsBefore = null;
        long[] bytesBefore = null;
        long[] offsetsAfter;
        long[] bytesAfter;
        try (CommitFollower follower = new CommitFollower(
                Bench.broker().bootstrapServers(), settings.dueRunsTopic(), Bench.PARTITIONS, FOLLOW_MILLIS)) {
            await().atMost(Duration.ofMinutes(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> Bench.consumed(applicationId, settings.schedulesTopic()));
            loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            heapLoaded = Bench.usedHeap();

            Counter publishedRuns = registry.get("recur.ticker.runs.published").counter();
            long released = System.nanoTime();
            for (int m = 0; m < minutes.length; m++) {
                long boundary = released + Duration.ofMinutes(m).toNanos();
                boolean measured = m == minutes.length - 1;
                if (m == 0) {
                    clock.release(BOUNDARY);
                } else {
                    // the clock runs at real speed: the ticker's own boundary tick fires this minute, as in production
                    await().atMost(Duration.ofMinutes(2))
                            .pollInterval(Duration.ofMillis(20))
                            .until(() -> System.nanoTime()
                                    >= boundary - Duration.ofMillis(300).toNanos());
                }
                if (measured) {
                    offsetsBefore =
                            written.stream().mapToLong(Bench::endOffsets).toArray();
                    bytesBefore = written.stream().mapToLong(Bench::logBytes).toArray();
                }
                Bench.Cpu cpuBefore = Bench.Cpu.now();
                double target = (m + 1) * (double) schedules;
                long[][] ends = new long[1][];
                await().atMost(Duration.ofMinutes(10))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> {
                            CommitFollower.Sample latest = follower.latest();
                            if (ends[0] == null && publishedRuns.count() >= target) {
                                // every run of the minute has been sent; done once all of it is stable
                                ends[0] = follower.ends();
                            }
                            return ends[0] != null
                                    && latest != null
                                    && allAtLeast(follower.latest().stable(), ends[0]);
                        });
                minutes[m] = new Minute(
                        BOUNDARY.plus(Duration.ofMinutes(m)),
                        boundary,
                        cpuBefore,
                        Bench.Cpu.now(),
                        Bench.load(),
                        follower.describe(boundary));
            }
            offsetsAfter = written.stream().mapToLong(Bench::endOffsets).toArray();
            bytesAfter = written.stream().mapToLong(Bench::logBytes).toArray();
            latenessP99 = Bench.latenessP99(registry);
            streams.close(Duration.ofSeconds(60));
            stateBytes = Bench.sizeOf(stateDir);

            // which records each minute's last committed run is, read after the fact: exactly the N runs, once each
            for (Minute minute : minutes) {
                minute.lastOffsets = new long[Bench.PARTITIONS];
                Arrays.fill(minute.lastOffsets, -1);
                minute.published = new BitSet(schedules + 1);
            }
            readAll(settings.dueRunsTopic(), minutes);
            for (Minute minute : minutes) {
                long visible = follower.visibleAt(minute.lastOffsets, minute.boundaryNanos);
                assertThat(visible)
                        .as("the last run of %s seen committed", minute.at)
                        .isPositive();
                minute.seconds = (visible - minute.boundaryNanos) / 1e9;
            }
        } finally {
            streams.close(Duration.ofSeconds(60));
        }

        Path payloads = payloadFile();
        String raw = "bench.raw." + suffix;
        Bench.createWritableTopic(raw);
        Bench.PerfResult plain = Bench.producerPerformance(raw, schedules, payloads, null);
        String rawTx = "bench.raw-tx." + suffix;
        Bench.createWritableTopic(rawTx);
        Bench.PerfResult transactional = Bench.producerPerformance(rawTx, schedules, payloads, "bench-perf-" + suffix);

        Minute last = minutes[minutes.length - 1];
        double rate = schedules / last.seconds;
        StringBuilder perRun = new StringBuilder();
        for (int i = 0; i < written.size(); i++) {
            perRun.append(String.format(
                    "%n  %s: %.2f records (offsets incl. transaction markers), %.0f B on disk",
                    written.get(i),
                    (offsetsAfter[i] - offsetsBefore[i]) / (double) schedules,
                    (bytesAfter[i] - bytesBefore[i]) / (double) schedules));
        }
        System.out.printf(
                "snapshots produced in %.1f s; ticker loaded them (RUNNING, lag 0) %.1f s after the start%n",
                produceSeconds, loadSeconds);
        for (Minute minute : minutes) {
            System.out.printf(
                    "%s %s: minute boundary -> last due-run committed %.2f s (%,d of %,d runs, %,.0f/s; %s); "
                            + "%s%n  %s%n",
                    minute == last ? "MEASURED" : "warm-up",
                    minute.at,
                    minute.seconds,
                    minute.published.cardinality(),
                    schedules,
                    schedules / minute.seconds,
                    minute.follow,
                    minute.load,
                    minute.cpuAfter.perRun(minute.cpuBefore, schedules));
        }
        System.out.printf("due-runs/s: %,.0f%n", rate);
        System.out.println("written per due-run:" + perRun);
        System.out.printf(
                "kafka-producer-perf-test, same broker, same records (%d B, lz4, acks=all): %s%n",
                EventJson.write(sampleRun(1)).length, plain.describe());
        System.out.printf(
                "kafka-producer-perf-test, transactional (a commit per 100 ms): %s%n", transactional.describe());
        System.out.printf(
                "ratio ticker / producer-perf-test: %.2f (transactional: %.2f); by CPU per record "
                        + "(producer + broker): %.2f (transactional: %.2f)%n",
                rate / plain.recordsPerSecond(),
                rate / transactional.recordsPerSecond(),
                plain.cpuPerRecordMicros() / last.cpuAfter.totalPerRun(last.cpuBefore, schedules),
                transactional.cpuPerRecordMicros() / last.cpuAfter.totalPerRun(last.cpuBefore, schedules));
        System.out.printf("heap after loading - before, per schedule: %,d B%n", (heapLoaded - heapBefore) / schedules);
        System.out.printf("state dir (RocksDB, after close) per schedule: %,d B%n", stateBytes / schedules);
        System.out.printf(
                "p99 publish lateness (ticker's timer, bucket bound): %.2f s; %s%n", latenessP99, Bench.load());
        long[] logStarts = Bench.logStartOffsets(settings.dueRunsTopic());
        System.out.printf("due-runs' log start offsets (records the broker deleted): %s%n", Arrays.toString(logStarts));
        for (Minute minute : minutes) {
            assertThat(minute.published.cardinality())
                    .as("runs of %s", minute.at)
                    .isEqualTo(schedules);
        }
        assertThat(logStarts).as("due-runs' log start offsets").containsOnly(0L);
    }

    private static boolean allAtLeast(long[] values, long[] bounds) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] < bounds[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads the whole topic as a {@code read_committed} consumer: marks each minute's runs (failing on a duplicate or
     * a run of another minute) and notes the offset of each minute's last run per partition.
     */
    private static void readAll(String topic, Minute[] minutes) {
        long[] ends = new long[Bench.PARTITIONS];
        for (int p = 0; p < Bench.PARTITIONS; p++) {
            ends[p] = Bench.endOffset(topic, p);
        }
        try (KafkaConsumer<String, byte[]> reader = Bench.committedReader(topic)) {
            long[] positions = new long[Bench.PARTITIONS];
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ZERO).until(() -> {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    String at = Bench.scheduledFor(record.value());
                    Minute minute = Arrays.stream(minutes)
                            .filter(m -> m.text.equals(at))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("a run of another minute: " + at));
                    int id = Integer.parseInt(record.key());
                    assertThat(minute.published.get(id))
                            .as("duplicate run of %d at %s", id, at)
                            .isFalse();
                    minute.published.set(id);
                    minute.lastOffsets[record.partition()] =
                            Math.max(minute.lastOffsets[record.partition()], record.offset());
                }
                for (TopicPartition partition : reader.assignment()) {
                    positions[partition.partition()] = reader.position(partition);
                }
                return allAtLeast(positions, ends);
            });
        }
    }

    /** One fired minute: when it began, the CPU around it, and what was read of it afterwards. */
    private static final class Minute {

        final Instant at;
        final String text;
        final long boundaryNanos;
        final Bench.Cpu cpuBefore;
        final Bench.Cpu cpuAfter;
        final String load;
        final String follow;
        BitSet published;
        long[] lastOffsets;
        double seconds;

        Minute(Instant at, long boundaryNanos, Bench.Cpu cpuBefore, Bench.Cpu cpuAfter, String load, String follow) {
            this.at = at;
            this.text = at.toString();
            this.boundaryNanos = boundaryNanos;
            this.cpuBefore = cpuBefore;
            this.cpuAfter = cpuAfter;
            this.load = load;
            this.follow = follow;
        }
    }

    private static DueRun sampleRun(long scheduleId) {
        return DueRun.of(
                Ids.runId(scheduleId, BOUNDARY),
                scheduleId,
                "alice",
                BOUNDARY,
                BOUNDARY,
                false,
                0,
                1,
                0,
                1,
                Snapshots.items(1),
                BOUNDARY.plusMillis(1234));
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
