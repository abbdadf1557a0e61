package dev.recur.ticker.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import dev.recur.common.cron.CronExpression;
import dev.recur.common.event.Topics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publish lateness in real time: N schedules over random crons on the real broker (exactly-once v2, RocksDB), the
 * ticker on the system clock for a few real minutes. For every run of the measured minutes it takes the record's
 * timestamp (the ticker's publish time) and the time the run became visible to a {@code read_committed} reader,
 * each minus the scheduled minute, and prints p50/p99/max of both, CPU per due-run, and checks that exactly the
 * expected (schedule, minute) pairs were published. Run: {@code ./mvnw -B -o -pl ticker test
 * -Drecur.excludedGroups=none -Dgroups=benchmark -Dtest=TickerLatenessBenchmarkTest
 * -Dticker.lateness.schedules=100000 -Dticker.lateness.minutes=3}.
 */
@Tag("benchmark")
class TickerLatenessBenchmarkTest {

    /** Kafka Streams state directories, deleted by JUnit after each test. */
    @TempDir
    Path tempDir;

    private static final String[] STEPS = {"*/2", "*/3", "*/5", "*/10", "*/15", "*/30"};

    @Test
    void shouldPublishRunsWithinASecondOfTheirMinuteWhenManySchedulesHaveRandomCrons() throws Exception {
        int count = Integer.getInteger("ticker.lateness.schedules", 100_000);
        int minutes = Integer.getInteger("ticker.lateness.minutes", 3);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String applicationId = "ticker-lateness-" + suffix;
        TickerSettings settings = TickerDriver.DEFAULTS
                .withTopics("bench.schedules." + suffix, "bench.due-runs." + suffix)
                .withTick(Duration.ofMillis(250), 20_000);
        Bench.broker().createTopic(settings.schedulesTopic(), Bench.PARTITIONS, Map.of("cleanup.policy", "compact"));
        Bench.broker().createTopic(settings.dueRunsTopic(), Bench.PARTITIONS, Map.of());
        System.out.printf(
                "%n== ticker lateness, %,d schedules over random crons, %d minutes; %s ==%n",
                count, minutes, Bench.load());

        Random random = new Random(42);
        Map<Long, String> crons = new HashMap<>();
        Map<String, Snapshots.Template> templates = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = Bench.loader()) {
            for (long id = 1; id <= count; id++) {
                String cron = randomCron(random);
                crons.put(id, cron);
                producer.send(new ProducerRecord<>(
                        settings.schedulesTopic(),
                        Topics.key(id),
                        templates
                                .computeIfAbsent(
                                        cron,
                                        expression -> Snapshots.schedule(1, expression)
                                                .template())
                                .of(id)));
            }
        }

        Path stateDir = Files.createTempDirectory(tempDir, "ticker-lateness");
        // the service's registry: it keeps the lateness timer's buckets, which a SimpleMeterRegistry drops
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        KafkaStreams streams = new KafkaStreams(
                TickerTopology.build(settings, Clock.systemUTC(), new TickerMetrics(registry)),
                Bench.streamsProps(applicationId, stateDir));
        streams.start();
        try (KafkaConsumer<String, byte[]> reader = Bench.committedReader(settings.dueRunsTopic())) {
            await().atMost(Duration.ofMinutes(20))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> Bench.consumed(applicationId, settings.schedulesTopic()));
            // every schedule was planned before this minute began, and the reader has caught up with the topic
            Instant from = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(2, ChronoUnit.MINUTES);
            Instant to = from.plus(minutes - 1L, ChronoUnit.MINUTES);
            while (Instant.now().isBefore(from.minusSeconds(5))) {
                reader.poll(Duration.ofMillis(200));
            }
            Bench.Cpu cpuBefore = Bench.Cpu.now();
            Set<String> seen = new HashSet<>();
            long[] published = new long[0];
            long[] visible = new long[0];
            int[] minuteOf = new int[0];
            int n = 0;
            Instant stop = to.plusSeconds(45);
            while (Instant.now().isBefore(stop)) {
                for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(50))) {
                    long received = System.currentTimeMillis();
                    // not parsed with Jackson: the reader shares the ticker's JVM and CPU at the minute boundary
                    Instant scheduledFor = Instant.parse(Bench.scheduledFor(record.value()));
                    if (scheduledFor.isBefore(from) || scheduledFor.isAfter(to)) {
                        continue;
                    }
                    assertThat(seen.add(record.key() + "@" + scheduledFor))
                            .as("duplicate run")
                            .isTrue();
                    if (n == published.length) {
                        published = Arrays.copyOf(published, Math.max(1024, n * 2));
                        visible = Arrays.copyOf(visible, published.length);
                        minuteOf = Arrays.copyOf(minuteOf, published.length);
                    }
                    published[n] = record.timestamp() - scheduledFor.toEpochMilli();
                    visible[n] = received - scheduledFor.toEpochMilli();
                    minuteOf[n] = (int) Duration.between(from, scheduledFor).toMinutes();
                    n++;
                }
            }
            Bench.Cpu cpuAfter = Bench.Cpu.now();
            long expected = expectedRuns(crons, from, to);
            System.out.printf(
                    "measured minutes %s to %s: %,d runs published (expected %,d); %s%n",
                    from, to, n, expected, Bench.load());
            System.out.println("lateness = publish time (record timestamp) - scheduled minute: "
                    + percentiles(Arrays.copyOf(published, n)));
            System.out.println("lateness = visible to a read_committed reader - scheduled minute: "
                    + percentiles(Arrays.copyOf(visible, n)));
            for (int minute = 0; minute < minutes; minute++) {
                long[] ofMinute = new long[n];
                int runs = 0;
                for (int i = 0; i < n; i++) {
                    if (minuteOf[i] == minute) {
                        ofMinute[runs++] = published[i];
                    }
                }
                System.out.printf(
                        "  publish lateness of %s: %s%n",
                        from.plusSeconds(60L * minute), percentiles(Arrays.copyOf(ofMinute, runs)));
            }
            System.out.println(cpuAfter.perRun(cpuBefore, Math.max(1, n))
                    + " (over the whole measured period, idle seconds included)");
            System.out.printf(
                    "ticker's lateness timer p99 (all runs since start; bucket bound): %.2f s%n",
                    Bench.latenessP99(registry));
            assertThat((long) n).isEqualTo(expected);
        } finally {
            streams.close(Duration.ofSeconds(60));
        }
    }

    /** Minute field random (every minute, a step, one minute or two), hour mostly every hour. */
    private static String randomCron(Random random) {
        String minute = switch (random.nextInt(5)) {
            case 0 -> "*";
            case 1, 2 -> STEPS[random.nextInt(STEPS.length)];
            case 3 -> Integer.toString(random.nextInt(60));
            default -> random.nextInt(30) + "," + (30 + random.nextInt(30));
        };
        String hour = random.nextInt(10) < 8 ? "*" : Integer.toString(random.nextInt(24));
        return minute + " " + hour + " * * *";
    }

    private static long expectedRuns(Map<Long, String> crons, Instant from, Instant to) {
        long runs = 0;
        Map<String, CronExpression> parsed = new HashMap<>();
        for (String cron : crons.values()) {
            CronExpression expression = parsed.computeIfAbsent(cron, CronExpression::parse);
            for (Instant minute = from; !minute.isAfter(to); minute = minute.plusSeconds(60)) {
                if (expression.firesBetween(minute.minusSeconds(1), minute, ZoneOffset.UTC)) {
                    runs++;
                }
            }
        }
        return runs;
    }

    private static String percentiles(long[] millis) {
        if (millis.length == 0) {
            return "no runs";
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        return String.format(
                "p50 %.3f s, p99 %.3f s, max %.3f s (%,d runs)",
                at(sorted, 0.50), at(sorted, 0.99), sorted[sorted.length - 1] / 1e3, sorted.length);
    }

    private static double at(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e3;
    }
}
