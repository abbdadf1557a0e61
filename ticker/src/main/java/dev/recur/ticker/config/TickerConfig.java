package dev.recur.ticker.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The ticker's business knobs. */
@ConfigMapping(prefix = "recur.ticker")
public interface TickerConfig {

    /** Topic the schedule snapshots come from. */
    @WithDefault("recur.schedules")
    String schedulesTopic();

    /** Topic the due-run slices go to. */
    @WithDefault("recur.due-runs")
    String dueRunsTopic();

    /** A run missed while the ticker was down still fires (late) if it is at most this old; older ones are skipped. */
    @WithDefault("1h")
    Duration catchUpWindow();

    /**
     * How often the punctuator looks for due schedules, besides the look at each minute boundary: the regular looks
     * pick up what a late or bounded look left (catch-up, a minute larger than {@link #maxSchedulesPerTick()}), and
     * cost little: an idle look is one seek in the timeline.
     */
    @WithDefault("250ms")
    Duration tickInterval();

    /**
     * Schedules handled per look at most: an exactly-once transaction holds everything one look publishes, so a
     * huge minute is spread over several transactions instead of outgrowing the transaction timeout.
     */
    @WithDefault("20000")
    int maxSchedulesPerTick();

    /** Serialized items per due-run message at most; a larger run is split into slices. */
    @WithDefault("262144")
    int sliceBudgetBytes();
}
