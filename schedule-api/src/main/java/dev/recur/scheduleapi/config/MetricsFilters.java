package dev.recur.scheduleapi.config;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Meters kept out of the registry. */
public class MetricsFilters {

    /** Metrics name of the non-blocking PostgreSQL client (ReactivePgClient): the prefix of its meters. */
    public static final String REACTIVE_CLIENT = "recur-schedule-api-reactive";

    /**
     * The non-blocking PostgreSQL client's per-connection gauges ({@code queue.size}, {@code current}). Vert.x asks
     * for a client's metrics on every new connection, and Quarkus registers these two gauges each time under the same
     * name and tags: Micrometer kept the first connection's, so they described one connection of the pool, and
     * logged "This Gauge has been already registered" at the second. The pool's meters ({@code sql.pool.*} tagged
     * with the pool's name: active, idle, queue size and delay, usage) describe every connection, and the client's
     * timers and counters, which the connections share, stay.
     */
    @Produces
    @Singleton
    MeterFilter reactiveClientConnectionGauges() {
        return MeterFilter.deny(
                id -> id.getType() == Meter.Type.GAUGE && id.getName().startsWith(REACTIVE_CLIENT + "."));
    }
}
