package dev.recur.ticker.topology;

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

import dev.recur.common.event.DueRun;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.DueRunDeserializer;
import dev.recur.common.json.EventJson;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.KafkaBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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

/** The ticker topology as plain Kafka Streams (RocksDB, exactly-once v2) on the real broker. */
class TickerOnBrokerTest {

    /** Kafka Streams state directories, deleted by JUnit after each test. */
    @TempDir
    Path tempDir;

    private final KafkaBroker broker = Infra.kafka();
    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final TickerSettings settings = TickerDriver.DEFAULTS
            .withTopics("it.schedules." + suffix, "it.due-runs." + suffix)
            .withTick(Duration.ofMillis(100), 20_000);
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

    /**
     * Skipped fire times that wait for the schedule's next run survive the instance: the next one restores them
     * from the changelog (its state directory is new, as on another machine) and its first run carries them, once.
     */
    @Test
    void shouldCarrySkippedRunsWaitingAtARestartOnTheFirstRunAfterIt() {
        createTopics(1);
        // stands still while instances start and stop, so that no fire time passes then; a minute in a real second
        // while it runs
        Instant boundary = Instant.ofEpochSecond(Math.floorDiv(Instant.now().getEpochSecond(), 600) * 600);
        PausingClock clock = new PausingClock(boundary.minusSeconds(600 - 90), 60);
        long id = Ids.newScheduleId();
        send(Snapshots.schedule(id, "*/10 * * * *")
                .catchUp(dev.recur.common.event.CatchUp.SKIP)
                .acceptedAt(clock.instant()));
        KafkaStreams first = start(clock, true);
        await().atMost(Duration.ofSeconds(60)).until(() -> first.state() == KafkaStreams.State.RUNNING);
        // the ticker was away across two fire times: it comes back 6.5 minutes after the second
        clock.jump(Duration.ofMinutes(25));
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> waiting = new KafkaConsumer<>(
                props,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            waiting.assign(List.of(new org.apache.kafka.common.TopicPartition(
                    "ticker-it-" + suffix + "-" + TickerTopology.SKIPPED_STORE + "-changelog", 0)));
            waiting.seekToBeginning(waiting.assignment());
            // committed in the tick's transaction before the instance goes away
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !waiting.poll(Duration.ofMillis(200)).isEmpty());
        }
        first.close(Duration.ofSeconds(10));
        KafkaStreams second = start(clock, true);
        await().atMost(Duration.ofSeconds(60)).until(() -> second.state() == KafkaStreams.State.RUNNING);
        clock.run();

        List<DueRun> runs = new ArrayList<>();
        try (KafkaConsumer<String, DueRun> consumer = consumer()) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> runs.add(record.value()));
                assertThat(runs).hasSizeGreaterThanOrEqualTo(2);
            });
        }

        assertThat(runs)
                .extracting(DueRun::scheduledFor)
                .startsWith(boundary.plusSeconds(1200), boundary.plusSeconds(1800));
        assertThat(runs)
                .extracting(DueRun::skippedRuns)
                .startsWith(2, 0)
                .containsOnlyOnce(2)
                .containsOnly(2, 0);
        assertThat(runs).noneMatch(DueRun::late);
    }

    /** Stands still at an instant, can leap forward, and runs {@code speed} times faster than real time. */
    private static final class PausingClock extends UtcTestClock {

        private final long speed;
        private volatile Instant frozen;
        private volatile Instant runningFrom;
        private volatile long runningSinceNanos;

        PausingClock(Instant frozen, long speed) {
            this.frozen = frozen;
            this.speed = speed;
        }

        void jump(Duration by) {
            frozen = frozen.plus(by);
        }

        void run() {
            runningFrom = frozen;
            runningSinceNanos = System.nanoTime();
            frozen = null;
        }

        @Override
        public Instant instant() {
            Instant stopped = frozen;
            return stopped != null ? stopped : runningFrom.plusNanos((System.nanoTime() - runningSinceNanos) * speed);
        }
    }

    private void createTopics(int partitions) {
        broker.createTopic(settings.schedulesTopic(), partitions, Map.of("cleanup.policy", "compact"));
        broker.createTopic(settings.dueRunsTopic(), partitions, Map.of());
    }

    private KafkaStreams start(Clock clock) {
        return start(clock, false);
    }

    /** @param quickTakeOver a short session, so that an instance started after a closed one gets its tasks soon */
    private KafkaStreams start(Clock clock, boolean quickTakeOver) {
        Properties props = new Properties();
        if (quickTakeOver) {
            props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
            props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
        }
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ticker-it-" + suffix);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try {
            props.put(
                    StreamsConfig.STATE_DIR_CONFIG,
                    Files.createTempDirectory(tempDir, "ticker-it").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        KafkaStreams streams = new KafkaStreams(
                TickerTopology.build(settings, clock, new TickerMetrics(new SimpleMeterRegistry())), props);
        instances.add(streams);
        streams.start();
        return streams;
    }

    private void send(Snapshots schedule) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                    settings.schedulesTopic(), Topics.key(schedule.id()), EventJson.write(schedule.snapshot())));
        }
    }

    private KafkaConsumer<String, DueRun> consumer() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "ticker-it-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, DueRun> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new DueRunDeserializer());
        consumer.subscribe(List.of(settings.dueRunsTopic()));
        return consumer;
    }
}
