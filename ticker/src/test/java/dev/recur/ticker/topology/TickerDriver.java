package dev.recur.ticker.topology;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import dev.recur.common.cron.CronExpression;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.Topics;
import dev.recur.common.json.DueRunDeserializer;
import dev.recur.common.json.EventJson;
import dev.recur.testinfra.Infra;
import dev.recur.ticker.state.Timeline;
import dev.recur.ticker.state.TimelineKey;
import dev.recur.ticker.state.TrackedSchedule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/** The ticker topology in a {@link TopologyTestDriver}, with a clock that moves with the driver's wall clock. */
final class TickerDriver implements AutoCloseable {

    static final TickerSettings DEFAULTS = new TickerSettings(
            Topics.SCHEDULES, Topics.DUE_RUNS, Duration.ofHours(1), Duration.ofSeconds(1), 20_000, 256 * 1024);

    final MutableClock clock;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TickerMetrics metrics = new TickerMetrics(registry);
    private final Map<String, CronExpression> crons = new HashMap<>();
    private final TopologyTestDriver driver;
    private final Path stateDir;
    private final TestInputTopic<String, byte[]> schedules;
    private final TestOutputTopic<String, DueRun> dueRuns;

    TickerDriver(Instant start) {
        this(start, DEFAULTS);
    }

    TickerDriver(Instant start, TickerSettings settings) {
        clock = new MutableClock(start);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ticker-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try {
            stateDir = Files.createTempDirectory("ticker-driver");
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        driver = new TopologyTestDriver(TickerTopology.build(settings, clock, metrics, false), props, start);
        schedules =
                driver.createInputTopic(settings.schedulesTopic(), new StringSerializer(), new ByteArraySerializer());
        dueRuns = driver.createOutputTopic(settings.dueRunsTopic(), new StringDeserializer(), new DueRunDeserializer());
    }

    /**
     * Moves only the ticker's clock, not the driver's wall clock: a record that arrives after a minute boundary but
     * before the stream thread has punctuated for it.
     */
    void clockAt(Instant instant) {
        clock.set(instant);
    }

    /**
     * The timeline a task would rebuild from its stores after a crash, stated independently of the processor: a
     * plan record holds as written if its timeline key lies beyond the progress (the last key a tick fired), else
     * the schedule was fired on time up to the progress, and its next entry is its first fire time (cron in its
     * zone, not before its start, not after its end) whose key lies beyond the progress.
     */
    Set<Bytes> timelineAfterRestart() {
        KeyValueStore<Long, Long> plans = driver.getKeyValueStore(TickerTopology.PLANS_STORE);
        KeyValueStore<Long, Bytes> progressStore = driver.getKeyValueStore(TickerTopology.PROGRESS_STORE);
        Bytes progress = progressStore.get(0L);
        Set<Bytes> rebuilt = new HashSet<>();
        try (KeyValueIterator<Long, Long> all = plans.all()) {
            all.forEachRemaining(plan -> {
                Bytes written = TimelineKey.of(plan.value, plan.key);
                if (progress == null || written.compareTo(progress) > 0) {
                    rebuilt.add(written);
                    return;
                }
                TrackedSchedule schedule = schedulesStore().get(plan.key);
                long progressMinute = TimelineKey.epochMinute(progress);
                long fromMinute = plan.key > TimelineKey.scheduleId(progress) ? progressMinute : progressMinute + 1;
                Instant after = Instant.ofEpochSecond(fromMinute * 60).minusNanos(1);
                if (schedule.start() != null && schedule.start().minusNanos(1).isAfter(after)) {
                    after = schedule.start().minusNanos(1);
                }
                crons.computeIfAbsent(schedule.cron(), CronExpression::parse)
                        .next(after, ZoneId.of(schedule.timezone()))
                        .filter(fire -> schedule.end() == null || !fire.isAfter(schedule.end()))
                        .ifPresent(fire -> rebuilt.add(TimelineKey.of(fire.getEpochSecond() / 60, plan.key)));
            });
        }
        return rebuilt;
    }

    /** Moves time forward to {@code instant}; the punctuator runs if its interval has passed. */
    void at(Instant instant) {
        Duration step = Duration.between(clock.instant(), instant);
        if (step.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + instant);
        }
        clock.set(instant);
        driver.advanceWallClockTime(step);
    }

    void send(Snapshots schedule) {
        schedules.pipeInput(Topics.key(schedule.id()), EventJson.write(schedule.snapshot()), clock.instant());
    }

    void delete(long id) {
        schedules.pipeInput(Topics.key(id), null, clock.instant());
    }

    List<DueRun> runs() {
        return dueRuns.readValuesToList();
    }

    /** Steps minute by minute (half a second into each) through {@code [from, to]}, collecting the runs. */
    List<DueRun> runMinutes(Instant from, Instant to) {
        List<DueRun> runs = new ArrayList<>();
        for (Instant minute = from; !minute.isAfter(to); minute = minute.plusSeconds(60)) {
            at(minute.plusMillis(500));
            runs.addAll(runs());
        }
        return runs;
    }

    /** The skipped fire times waiting in the skipped store for their schedule's next run, by schedule id. */
    Map<Long, Long> skippedWaiting() {
        Map<Long, Long> waiting = new java.util.TreeMap<>();
        KeyValueStore<Long, Long> store = driver.getKeyValueStore(TickerTopology.SKIPPED_STORE);
        try (KeyValueIterator<Long, Long> all = store.all()) {
            all.forEachRemaining(entry -> waiting.put(entry.key, entry.value));
        }
        return waiting;
    }

    KeyValueStore<Long, TrackedSchedule> schedulesStore() {
        return driver.getKeyValueStore(TickerTopology.SCHEDULES_STORE);
    }

    /** The live timelines of all tasks, as timeline keys in key order. */
    List<Bytes> timelineKeys() {
        List<Bytes> keys = new ArrayList<>();
        for (Timeline timeline : metrics.timelines()) {
            timeline.entries().forEach(entry -> keys.add(TimelineKey.of(entry[0], entry[1])));
        }
        keys.sort(null);
        return keys;
    }

    double count(String meter, String... tags) {
        return registry.get(meter).tags(tags).counter().count();
    }

    @Override
    public void close() {
        driver.close();
        Infra.deleteRecursively(stateDir);
    }
}
