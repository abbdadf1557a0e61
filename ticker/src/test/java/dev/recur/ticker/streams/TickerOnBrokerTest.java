package dev.recur.ticker.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.recur.common.event.DueRun;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.DueRunDeserializer;
import dev.recur.common.json.EventJson;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.KafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The ticker topology as plain Kafka Streams (RocksDB, exactly-once v2) on the real broker. */
class TickerOnBrokerTest {

    /** Kafka Streams state directories, deleted by JUnit after each test. */
    @TempDir
    Path tempDir;

    private final KafkaBroker broker = Infra.kafka();
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final TickerSettings settings = TickerDriver.DEFAULTS.withTopics("it.schedules." + suffix,
            "it.due-runs." + suffix).withTick(Duration.ofMillis(100), 20_000);
    private final List<KafkaStreams> instances = new ArrayList<>();

    @AfterEach
    void closeInstances() {
        instances.forEach(streams -> streams.close(Duration.ofSeconds(10)));
    }

    @Test
    void shouldPublishCommittedDueRunWhenScheduleSnapshotArrives() {
        createTopics(3);
        // a minute of this clock passes in two real seconds
        Clock clock = new FastClock(Instant.now(), 30);
        start(clock);
        long id = Ids.newScheduleId();
        send(Snapshots.schedule(id, "* * * * *").items(Snapshots.items(3)));

        List<DueRun> runs = new ArrayList<>();
        try (KafkaConsumer<String, DueRun> consumer = consumer()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> runs.add(record.value()));
                assertThat(runs).isNotEmpty();
            });
        }

        DueRun run = runs.get(0);
        assertThat(run.scheduleId()).isEqualTo(id);
        assertThat(run.scheduledFor().getEpochSecond() % 60).isZero();
        assertThat(run.runId()).isEqualTo(Ids.runId(id, run.scheduledFor()));
        assertThat(run.items()).isEqualTo(Snapshots.items(3));
        assertThat(run.late()).isFalse();
    }

    @Test
    void shouldPublishEachRunOnceWithoutGapWhenTwoInstancesShareTheSchedules() {
        createTopics(6);
        // a minute passes in three real seconds; both instances read the same clock
        Clock clock = new FastClock(Instant.now(), 20);
        start(clock);
        start(clock);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ids.add(Ids.newScheduleId());
            send(Snapshots.schedule(ids.get(i), "* * * * *"));
        }

        Map<Long, List<Instant>> runs = new ConcurrentHashMap<>();
        try (KafkaConsumer<String, DueRun> consumer = consumer()) {
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                for (ConsumerRecord<String, DueRun> record : consumer.poll(Duration.ofMillis(200))) {
                    runs.computeIfAbsent(record.value().scheduleId(), k -> new ArrayList<>())
                            .add(record.value().scheduledFor());
                }
                assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(ids);
                assertThat(runs.values()).allSatisfy(times -> assertThat(times).hasSizeGreaterThanOrEqualTo(4));
            });
        }

        assertThat(instances).allSatisfy(streams -> assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING));
        Map<Long, Set<Instant>> gaps = new HashMap<>();
        runs.forEach((id, times) -> {
            assertThat(times).as("runs of %d", id).doesNotHaveDuplicates();
            TreeSet<Instant> sorted = new TreeSet<>(times);
            for (Instant minute = sorted.first(); minute.isBefore(sorted.last()); minute = minute.plusSeconds(60)) {
                if (!sorted.contains(minute)) {
                    gaps.computeIfAbsent(id, k -> new TreeSet<>()).add(minute);
                }
            }
        });
        assertThat(gaps).isEmpty();
    }

    private void createTopics(int partitions) {
        broker.createTopic(settings.schedulesTopic(), partitions, Map.of("cleanup.policy", "compact"));
        broker.createTopic(settings.dueRunsTopic(), partitions, Map.of());
    }

    private void start(Clock clock) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ticker-it-" + suffix);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try {
            props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(tempDir, "ticker-it").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaStreams streams = new KafkaStreams(
                TickerTopology.build(settings, clock, new TickerMetrics(new SimpleMeterRegistry())), props);
        instances.add(streams);
        streams.start();
    }

    private void send(Snapshots schedule) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(settings.schedulesTopic(), Topics.key(schedule.id()),
                    EventJson.write(schedule.snapshot())));
        }
    }

    private KafkaConsumer<String, DueRun> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "ticker-it-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, DueRun> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new DueRunDeserializer());
        consumer.subscribe(List.of(settings.dueRunsTopic()));
        return consumer;
    }
}
