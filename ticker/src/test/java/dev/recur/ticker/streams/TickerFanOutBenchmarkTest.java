package dev.recur.ticker.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.recur.common.event.DueRun;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.KafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Fan-out: N schedules ({@code * * * * *}, one small item) all due in the same minute, on the real broker with
 * exactly-once v2 and RocksDB stores. Prints the time from the minute boundary to the last committed due-run,
 * the rate, heap and state per schedule, and a plain producer's rate on the same broker with the same record size.
 * Run: {@code ./mvnw -B -o -pl ticker test -Drecur.excludedGroups=none -Dgroups=benchmark
 * -Dtest=TickerFanOutBenchmarkTest -Dticker.benchmark.sizes=100000,1000000}.
 */
@Tag("benchmark")
class TickerFanOutBenchmarkTest {

    private static final Instant LOADING = Instant.parse("2026-11-28T12:00:30Z");
    private static final Instant BOUNDARY = Instant.parse("2026-11-28T12:01:00Z");

    private final KafkaBroker broker = Infra.kafka();

    @Test
    void shouldPublishAllRunsOfOneMinuteWhenManySchedulesAreDue() throws Exception {
        for (String size : System.getProperty("ticker.benchmark.sizes", "100000").split(",")) {
            fanOut(Integer.parseInt(size.strip()));
        }
    }

    private void fanOut(int schedules) throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        TickerSettings settings = TickerDriver.DEFAULTS.withTopics("bench.schedules." + suffix,
                "bench.due-runs." + suffix).withTick(Duration.ofMillis(100), 20_000);
        broker.createTopic(settings.schedulesTopic(), 6, Map.of("cleanup.policy", "compact"));
        broker.createTopic(settings.dueRunsTopic(), 6, Map.of());

        long loadStart = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = producer(false)) {
            for (long id = 1; id <= schedules; id++) {
                producer.send(new ProducerRecord<>(settings.schedulesTopic(), Topics.key(id),
                        EventJson.write(Snapshots.schedule(id, "* * * * *").snapshot())));
            }
        }
        double produceSeconds = (System.nanoTime() - loadStart) / 1e9;

        long heapBefore = usedHeap();
        Path stateDir = Files.createTempDirectory("ticker-bench");
        SwitchableClock clock = new SwitchableClock(LOADING);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaStreams streams = new KafkaStreams(TickerTopology.build(settings, clock, new TickerMetrics(registry)),
                streamsProps(suffix, stateDir));
        streams.start();
        try (KafkaConsumer<String, byte[]> reader = consumer(settings.dueRunsTopic())) {
            await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> loaded(suffix, settings.schedulesTopic()));
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            long heapLoaded = usedHeap();
            reader.poll(Duration.ofMillis(500));

            long boundary = System.nanoTime();
            clock.release(BOUNDARY);
            Set<Long> published = new HashSet<>(schedules * 2);
            long lastSeen = boundary;
            while (published.size() < schedules && System.nanoTime() - boundary < Duration.ofMinutes(10).toNanos()) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(100))) {
                    DueRun run = EventJson.read(record.value(), DueRun.class);
                    if (run.scheduledFor().equals(BOUNDARY) && published.add(run.scheduleId())) {
                        lastSeen = System.nanoTime();
                    }
                }
            }
            double tickSeconds = (lastSeen - boundary) / 1e9;
            streams.close(Duration.ofSeconds(60));
            long stateBytes = sizeOf(stateDir);
            double raw = rawProducerRate(schedules, settings, suffix);

            System.out.printf("%n== ticker fan-out, %,d schedules ==%n", schedules);
            System.out.printf("snapshots produced in %.1f s; ticker loaded them (RUNNING, lag 0) %.1f s after the start%n",
                    produceSeconds, loadSeconds);
            System.out.printf("minute boundary -> last due-run committed: %.2f s (%,d of %,d runs)%n", tickSeconds,
                    published.size(), schedules);
            System.out.printf("due-runs/s: %,.0f%n", published.size() / tickSeconds);
            System.out.printf("raw producer (plain KafkaProducer loop, same record size, lz4, acks=all): %,.0f rec/s%n",
                    raw);
            System.out.printf("ratio ticker / raw producer: %.2f%n", published.size() / tickSeconds / raw);
            System.out.printf("heap after loading - before, per schedule: %,d B%n",
                    (heapLoaded - heapBefore) / schedules);
            System.out.printf("state dir (RocksDB, after close) per schedule: %,d B%n", stateBytes / schedules);
            System.out.printf("p99 publish lateness: %.2f s%n", registry.get("recur.ticker.publish.lateness").timer()
                    .takeSnapshot().percentileValues()[1].value(java.util.concurrent.TimeUnit.SECONDS));
            assertThat(published).hasSize(schedules);
        } finally {
            streams.close(Duration.ofSeconds(60));
        }
    }

    private boolean loaded(String suffix, String topic) throws Exception {
        try (var admin = broker.admin()) {
            var committed = admin.listConsumerGroupOffsets("ticker-bench-" + suffix).partitionsToOffsetAndMetadata()
                    .get();
            var ends = admin.listOffsets(committed.keySet().stream().filter(tp -> tp.topic().equals(topic))
                    .collect(java.util.stream.Collectors.toMap(tp -> tp,
                            tp -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            // exactly-once leaves a commit marker after the last record: committed is end offset at most
            return ends.size() == 6 && ends.entrySet().stream()
                    .allMatch(e -> committed.get(e.getKey()).offset() >= e.getValue().offset() - 1);
        }
    }

    /** Records per second of a plain producer loop sending records of a due-run's size to a fresh topic. */
    private double rawProducerRate(int records, TickerSettings settings, String suffix) {
        String topic = "bench.raw." + suffix;
        broker.createTopic(topic, 6, Map.of());
        DueRun sample = DueRun.of(Ids.runId(1, BOUNDARY), 1, "alice", BOUNDARY, BOUNDARY, false, 0, 1, 0, 1,
                Snapshots.items(1), BOUNDARY);
        byte[] value = EventJson.write(sample);
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = producer(true)) {
            for (long id = 1; id <= records; id++) {
                // a fresh copy per record as the ticker serializes each run anew
                producer.send(new ProducerRecord<>(topic, Topics.key(id), Arrays.copyOf(value, value.length)));
            }
            producer.flush();
        }
        return records / ((System.nanoTime() - start) / 1e9);
    }

    private KafkaProducer<String, byte[]> producer(boolean likeTicker) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.ACKS_CONFIG, likeTicker ? "all" : "1");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<String, byte[]> consumer(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    private static Properties streamsProps(String suffix, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ticker-bench-" + suffix);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // as application.properties configures the service
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 30_000);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 262_144);
        return props;
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static long sizeOf(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
