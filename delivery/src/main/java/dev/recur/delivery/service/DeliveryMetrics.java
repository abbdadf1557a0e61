package dev.recur.delivery.service;

import java.time.Duration;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import dev.recur.common.event.DeliveryKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Deliveries by kind and outcome, retries, dead letters and callback latency. */
@ApplicationScoped
public class DeliveryMetrics {

    private final MeterRegistry registry;

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** One attempt's outcome: {@code delivered}, {@code retry_scheduled} or {@code dead_lettered}. */
    public void attempt(DeliveryKind kind, String outcome, boolean retry) {
        registry.counter("recur.delivery.attempts", "kind", name(kind), "outcome", outcome).increment();
        if (retry) {
            registry.counter("recur.delivery.retries", "kind", name(kind)).increment();
        }
        if (outcome.equals("dead_lettered")) {
            registry.counter("recur.delivery.dead.letters", "kind", name(kind)).increment();
        }
    }

    public void callbackLatency(Duration latency, boolean success) {
        Timer.builder("recur.delivery.callback.latency").tag("outcome", success ? "success" : "failure")
                .publishPercentileHistogram().register(registry).record(latency);
    }

    /** Time a consumed batch spent in one phase: {@code results_store} or {@code ingest_transaction}. */
    public void batchPhase(String phase, Duration time) {
        registry.timer("recur.delivery.batch.phase", "phase", phase).record(time);
    }

    public void batchSize(int jobs) {
        registry.summary("recur.delivery.batch.jobs").record(jobs);
    }

    private static String name(DeliveryKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}
