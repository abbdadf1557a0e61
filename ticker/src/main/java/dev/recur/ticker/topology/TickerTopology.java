package dev.recur.ticker.topology;

import java.time.Clock;

import dev.recur.common.trace.Tracing;
import dev.recur.ticker.config.TickerConfig;
import dev.recur.ticker.state.Timeline;
import dev.recur.ticker.state.TrackedSchedule;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The ticker's Kafka Streams topology: {@code recur.schedules} into the schedules, plans, progress and skipped stores
 * (changelogged) and the timeline (derived from them), and the due runs out to {@code recur.due-runs} (see
 * {@link ScheduleProcessor}).
 */
@ApplicationScoped
public class TickerTopology {

    public static final String SCHEDULES_STORE = "schedules";
    public static final String PLANS_STORE = "plans";
    public static final String PROGRESS_STORE = "progress";
    public static final String SKIPPED_STORE = "skipped";

    @Produces
    Topology topology(TickerConfig config, Clock clock, MeterRegistry registry, Tracing tracing) {
        return build(TickerSettings.of(config), clock, new TickerMetrics(registry), true, tracing);
    }

    public static Topology build(TickerSettings settings, Clock clock, TickerMetrics metrics) {
        return build(settings, clock, metrics, true);
    }

    public static Topology build(TickerSettings settings, Clock clock, TickerMetrics metrics, boolean persistent) {
        return build(settings, clock, metrics, persistent, Tracing.off());
    }

    /**
     * The timeline is the processor's own in-memory index ({@link Timeline}), no store, rebuilt from the plans and the progress when a task
     * starts (see {@link ScheduleProcessor}): a run fired on time then costs the due-run alone, and a tick one
     * progress record, not a rewrite of the snapshot and a delete and a put of the timeline per run. The progress
     * is one key per task: in memory, restored from its changelog.
     *
     * @param persistent RocksDB stores with changelogs, as in production; false gives in-memory stores without
     *     changelogs, which spare the {@code TopologyTestDriver} a RocksDB flush and a changelog record per
     *     simulated run
     * @param tracing the run spans and the trace context carried from a schedule's record to its runs' records
     */
    public static Topology build(
            TickerSettings settings, Clock clock, TickerMetrics metrics, boolean persistent, Tracing tracing) {
        Topology topology = new Topology();
        topology.addSource(
                "schedules-in",
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                settings.schedulesTopic());
        topology.addProcessor("ticker", () -> new ScheduleProcessor(settings, clock, metrics, tracing), "schedules-in");
        topology.addStateStore(
                logged(
                        Stores.keyValueStoreBuilder(
                                store(SCHEDULES_STORE, persistent), Serdes.Long(), TrackedSchedule.SERDE),
                        persistent),
                "ticker");
        topology.addStateStore(
                logged(
                        Stores.keyValueStoreBuilder(store(PLANS_STORE, persistent), Serdes.Long(), Serdes.Long()),
                        persistent),
                "ticker");
        topology.addStateStore(
                logged(
                        Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(PROGRESS_STORE), Serdes.Long(), Serdes.Bytes()),
                        persistent),
                "ticker");
        // skipped fire times waiting for the schedule's next run to carry them: few keys, rarely written
        topology.addStateStore(
                logged(
                        Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(SKIPPED_STORE), Serdes.Long(), Serdes.Long()),
                        persistent),
                "ticker");
        // the processor writes the due-runs' JSON itself (see DueRunJson)
        topology.addSink(
                "due-runs-out", settings.dueRunsTopic(), new StringSerializer(), new ByteArraySerializer(), "ticker");
        return topology;
    }

    private static <K, V> StoreBuilder<KeyValueStore<K, V>> logged(
            StoreBuilder<KeyValueStore<K, V>> builder, boolean logged) {
        return logged ? builder : builder.withLoggingDisabled();
    }

    private static KeyValueBytesStoreSupplier store(String name, boolean persistent) {
        return persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
    }
}
