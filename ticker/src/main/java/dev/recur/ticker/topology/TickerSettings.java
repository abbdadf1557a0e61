package dev.recur.ticker.topology;

import java.time.Duration;

import dev.recur.ticker.config.TickerConfig;

/** What the topology needs from {@link TickerConfig}, as a value that tests can build directly. */
public record TickerSettings(
        String schedulesTopic,
        String dueRunsTopic,
        Duration catchUpWindow,
        Duration tickInterval,
        int maxSchedulesPerTick,
        int sliceBudgetBytes) {

    public static TickerSettings of(TickerConfig config) {
        return new TickerSettings(
                config.schedulesTopic(),
                config.dueRunsTopic(),
                config.catchUpWindow(),
                config.tickInterval(),
                config.maxSchedulesPerTick(),
                config.sliceBudgetBytes());
    }

    public TickerSettings withTopics(String schedules, String dueRuns) {
        return new TickerSettings(
                schedules, dueRuns, catchUpWindow, tickInterval, maxSchedulesPerTick, sliceBudgetBytes);
    }

    public TickerSettings withSliceBudgetBytes(int budget) {
        return new TickerSettings(
                schedulesTopic, dueRunsTopic, catchUpWindow, tickInterval, maxSchedulesPerTick, budget);
    }

    public TickerSettings withTick(Duration interval, int maxSchedules) {
        return new TickerSettings(
                schedulesTopic, dueRunsTopic, catchUpWindow, interval, maxSchedules, sliceBudgetBytes);
    }
}
