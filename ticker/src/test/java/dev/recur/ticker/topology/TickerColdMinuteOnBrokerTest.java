package dev.recur.ticker.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.Map;
import java.util.UUID;

import dev.recur.common.event.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first minute after a start, as the fan-out benchmark runs it but at a size the default build affords: N
 * schedules due in the same minute on the real broker (exactly-once v2, RocksDB), the ticker's clock standing still
 * while they load and released at the minute. Every run of that minute must be readable with {@code read_committed}
 * once, also after the broker's retention has looked at the topic (the broker in the tests checks every second), and
 * the broker must have deleted nothing.
 */
class TickerColdMinuteOnBrokerTest {

    private static final int SCHEDULES = 24_000;
    // several transactions per partition: 4,000 runs per partition, at most 1,000 per look
    private static final int PER_TICK = 1_000;

    @TempDir
    Path tempDir;

    @Test
    void shouldCommitEveryRunOfTheFirstMinuteOnceAndKeepItWhenTheBrokerChecksRetention() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String applicationId = "ticker-cold-" + suffix;
        TickerSettings settings = TickerDriver.DEFAULTS
                .withTopics("cold.schedules." + suffix, "cold.due-runs." + suffix)
                .withTick(Duration.ofMillis(250), PER_TICK);
        Bench.broker().createTopic(settings.schedulesTopic(), Bench.PARTITIONS, Map.of("cleanup.policy", "compact"));
        Bench.broker().createTopic(settings.dueRunsTopic(), Bench.PARTITIONS, Map.of());
        Snapshots.Template snapshot = Snapshots.schedule(1, "* * * * *").template();
        try (KafkaProducer<String, byte[]> producer = Bench.loader()) {
            for (long id = 1; id <= SCHEDULES; id++) {
                producer.send(new ProducerRecord<>(settings.schedulesTopic(), Topics.key(id), snapshot.of(id)));
            }
        }

        Instant minute = Bench.firstBoundary();
        SwitchableClock clock = new SwitchableClock(minute.minusSeconds(30));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        KafkaStreams streams = new KafkaStreams(
                TickerTopology.build(settings, clock, new TickerMetrics(registry)),
                Bench.streamsProps(applicationId, Files.createTempDirectory(tempDir, "state")));
        try {
            streams.start();
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> Bench.consumed(applicationId, settings.schedulesTopic()));
            clock.release(minute);
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> registry.get("recur.ticker.runs.published")
                                    .counter()
                                    .count()
                            >= SCHEDULES);
        } finally {
            // a clean close commits what was published
            streams.close(Duration.ofSeconds(60));
        }
        // the broker's retention runs on its own clock, every second in the tests: give it two looks
        Thread.sleep(2_500);

        BitSet runs = new BitSet(SCHEDULES + 1);
        int duplicates = readCommitted(settings.dueRunsTopic(), minute.toString(), runs);
        long[] starts = Bench.logStartOffsets(settings.dueRunsTopic());
        System.out.printf(
                "[ticker] cold minute of %,d schedules: %,d runs committed and kept, %,d duplicates, "
                        + "log start offsets %s%n",
                SCHEDULES, runs.cardinality(), duplicates, java.util.Arrays.toString(starts));
        assertThat(duplicates).isZero();
        assertThat(starts).as("log start offsets (records the broker deleted)").containsOnly(0L);
        assertThat(runs.cardinality())
                .as("runs of the first minute committed and kept")
                .isEqualTo(SCHEDULES);
    }

    /** Marks each run of the minute read with {@code read_committed} up to the end offsets; returns the duplicates. */
    private static int readCommitted(String topic, String minute, BitSet runs) {
        long[] ends = new long[Bench.PARTITIONS];
        for (int p = 0; p < Bench.PARTITIONS; p++) {
            ends[p] = Bench.endOffset(topic, p);
        }
        int[] duplicates = {0};
        try (KafkaConsumer<String, byte[]> reader = Bench.committedReader(topic)) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ZERO).until(() -> {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    assertThat(Bench.scheduledFor(record.value())).isEqualTo(minute);
                    int id = Integer.parseInt(record.key());
                    if (runs.get(id)) {
                        duplicates[0]++;
                    }
                    runs.set(id);
                }
                for (TopicPartition partition : reader.assignment()) {
                    if (reader.position(partition) < ends[partition.partition()]) {
                        return false;
                    }
                }
                return reader.assignment().size() == Bench.PARTITIONS;
            });
        }
        return duplicates[0];
    }
}
