package dev.recur.delivery.service;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.recur.common.event.DeliveryKind;
import dev.recur.common.event.ResultsRef;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

/** Deliveries by kind and outcome, retries, dead letters and callback latency. */
@ApplicationScoped
public class DeliveryMetrics {

    private final MeterRegistry registry;

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One attempt's outcome: {@code delivered}, {@code retry_scheduled} or {@code dead_lettered}. */
    public void attempt(DeliveryKind kind, String outcome, boolean retry) {
        registry.counter("recur.delivery.attempts", "kind", name(kind), "outcome", outcome)
                .increment();
        if (retry) {
            registry.counter("recur.delivery.retries", "kind", name(kind)).increment();
        }
        if (outcome.equals("dead_lettered")) {
            registry.counter("recur.delivery.dead.letters", "kind", name(kind)).increment();
        }
    }

    public void callbackLatency(Duration latency, boolean success) {
        Timer.builder("recur.delivery.callback.latency")
                .tag("outcome", success ? "success" : "failure")
                .publishPercentileHistogram()
                .register(registry)
                .record(latency);
    }

    /** Time a consumed batch spent in one phase: {@code results_store} or {@code ingest_transaction}. */
    public void batchPhase(String phase, Duration time) {
        registry.timer("recur.delivery.batch.phase", "phase", phase).record(time);
    }

    /**
     * What a batch wrote to the results store: documents and objects by layout, {@code pack} (a results pack holds
     * many documents) or {@code alone} ({@code results/{job_id}.json}).
     */
    public void resultsStored(List<ResultsRef> refs) {
        Set<String> packs = new HashSet<>();
        long packed = 0;
        for (ResultsRef ref : refs) {
            if (ref.offset() != null) {
                packed++;
                packs.add(ref.key());
            }
        }
        registry.counter("recur.delivery.results.documents", "layout", "pack").increment(packed);
        registry.counter("recur.delivery.results.documents", "layout", "alone").increment(refs.size() - packed);
        registry.counter("recur.delivery.results.objects", "layout", "pack").increment(packs.size());
        registry.counter("recur.delivery.results.objects", "layout", "alone").increment(refs.size() - packed);
    }

    public void batchSize(int jobs) {
        registry.summary("recur.delivery.batch.jobs").record(jobs);
    }

    private static String name(DeliveryKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
