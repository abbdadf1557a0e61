package dev.recur.ticker.topology;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.recur.ticker.state.Timeline;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The ticker's meters: schedules tracked, runs published and skipped, publish lateness. */
public final class TickerMetrics {

    private final Set<ReadOnlyKeyValueStore<Long, ?>> scheduleStores = ConcurrentHashMap.newKeySet();
    private final Set<Timeline> timelines = ConcurrentHashMap.newKeySet();
    private final Counter published;
    private final Counter slices;
    private final Counter skippedOutsideWindow;
    private final Counter skippedByPolicy;
    private final Counter skippedAsCoalesced;
    private final Timer lateness;

    public TickerMetrics(MeterRegistry registry) {
        Gauge.builder("recur.ticker.schedules.tracked", this, TickerMetrics::trackedSchedules)
                .description("Schedules in the local schedules stores (approximate)")
                .register(registry);
        Gauge.builder(
                        "recur.ticker.runs.planned",
                        this,
                        m -> m.timelines.stream().mapToInt(Timeline::size).sum())
                .description("Schedules with a next run in this instance's timelines")
                .register(registry);
        published = Counter.builder("recur.ticker.runs.published")
                .description("Runs published to the due-runs topic")
                .register(registry);
        slices = Counter.builder("recur.ticker.slices.published")
                .description("Due-run messages (slices) published")
                .register(registry);
        skippedOutsideWindow = Counter.builder("recur.ticker.runs.skipped")
                .tag("reason", "older_than_catch_up_window")
                .description("Missed runs not published")
                .register(registry);
        skippedByPolicy = Counter.builder("recur.ticker.runs.skipped")
                .tag("reason", "catch_up_skip")
                .description("Missed runs not published")
                .register(registry);
        skippedAsCoalesced = Counter.builder("recur.ticker.runs.skipped")
                .tag("reason", "fire_once_coalesced")
                .description("Missed runs not published")
                .register(registry);
        // buckets only: Prometheus computes the quantiles from them, and client-side percentiles (an HdrHistogram
        // per time window) cost a tenth of a tick's CPU, since every run is recorded
        lateness = Timer.builder("recur.ticker.publish.lateness")
                .description("Publish time minus the run's scheduled minute")
                .publishPercentileHistogram()
                .register(registry);
    }

    void track(ReadOnlyKeyValueStore<Long, ?> store) {
        scheduleStores.add(store);
    }

    void untrack(ReadOnlyKeyValueStore<Long, ?> store) {
        scheduleStores.remove(store);
    }

    void track(Timeline timeline) {
        timelines.add(timeline);
    }

    void untrack(Timeline timeline) {
        timelines.remove(timeline);
    }

    /** The timelines of this instance's tasks (tests read them). */
    Set<Timeline> timelines() {
        return timelines;
    }

    void published(int sliceCount, Duration late) {
        published.increment();
        slices.increment(sliceCount);
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    void skippedOutsideWindow() {
        skippedOutsideWindow.increment();
    }

    void skippedByPolicy() {
        skippedByPolicy.increment();
    }

    /** A missed run of a {@code fire_once} schedule that a later missed run stands for. */
    void skippedAsCoalesced() {
        skippedAsCoalesced.increment();
    }

    private double trackedSchedules() {
        long count = 0;
        for (ReadOnlyKeyValueStore<Long, ?> store : scheduleStores) {
            try {
                count += store.approximateNumEntries();
            } catch (InvalidStateStoreException e) {
                // a store being closed by a rebalance is counted by its next owner
            }
        }
        return count;
    }
}
