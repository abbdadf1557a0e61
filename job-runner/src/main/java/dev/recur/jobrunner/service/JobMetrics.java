package dev.recur.jobrunner.service;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Jobs started/done/faulted by source, scraper latency by backend, scraper calls in flight. */
final class JobMetrics {

    /** Sources are user input: beyond this many distinct ones, tags collapse into "other" to bound the series. */
    private static final int MAX_SOURCE_TAGS = 200;

    private static final Pattern SOURCE_TAG = Pattern.compile("[a-z0-9_]{1,64}");

    private final MeterRegistry registry;
    private final Set<String> sourceTags = ConcurrentHashMap.newKeySet();
    // looked up once: building and registering a meter per job costs more than the job's own bookkeeping
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();

    JobMetrics(MeterRegistry registry, Supplier<Number> inFlight) {
        this.registry = registry;
        registry.gauge(
                "recur.jobrunner.scraper.in.flight", inFlight, s -> s.get().doubleValue());
    }

    void started(String source) {
        count("recur.jobrunner.jobs.started", source);
    }

    void done(String source) {
        count("recur.jobrunner.jobs.done", source);
    }

    void faulted(String source) {
        count("recur.jobrunner.jobs.faulted", source);
    }

    void scraperCall(String backend, Duration latency, boolean succeeded) {
        String outcome = succeeded ? "success" : "failure";
        latencies
                .computeIfAbsent(
                        backend + '/' + outcome,
                        key -> Timer.builder("recur.jobrunner.scraper.latency")
                                .tag("backend", backend)
                                .tag("outcome", outcome)
                                .publishPercentileHistogram()
                                .register(registry))
                .record(latency);
    }

    private void count(String name, String source) {
        String tag = sourceTag(source);
        counters.computeIfAbsent(
                        name + '/' + tag,
                        key -> Counter.builder(name).tag("source", tag).register(registry))
                .increment();
    }

    private String sourceTag(String source) {
        if (source == null) {
            return "other";
        }
        // a known tag passed the pattern already: no regex per job
        if (sourceTags.contains(source)) {
            return source;
        }
        if (!SOURCE_TAG.matcher(source).matches()) {
            return "other";
        }
        if (sourceTags.size() < MAX_SOURCE_TAGS) {
            sourceTags.add(source);
            return source;
        }
        return "other";
    }
}
