package dev.recur.common.trace;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The W3C trace context ({@code traceparent}, {@code tracestate}) of the services' own spans, carried in Kafka record
 * headers and in outbox rows: the one place where the hand-built producers and consumers (outbox relay, ticker,
 * job-runner's loop, delivery's consumer) put it in and take it out.
 *
 * <p>Tracing is off unless the deployment configures it ({@code OTEL_SDK_DISABLED=false}): Quarkus then hands out an
 * OpenTelemetry whose propagators are no-ops, {@link #enabled()} is false, and every method here returns at once
 * without touching headers or starting spans, so a service pays one boolean test per record.
 */
public final class Tracing {

    public static final String TRACEPARENT = "traceparent";
    /** The instrumentation scope of the services' own spans. */
    public static final String SCOPE = "dev.recur";

    private static final Tracing OFF = new Tracing(OpenTelemetry.noop());

    private static final TextMapSetter<Headers> HEADER_SETTER = (headers, key, value) -> {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    };

    private static final TextMapGetter<Headers> HEADER_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            headers.forEach(h -> keys.add(h.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            Header header = headers == null ? null : headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final TextMapPropagator propagator;
    private final Tracer tracer;
    private final boolean enabled;

    public Tracing(OpenTelemetry openTelemetry) {
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
        this.tracer = openTelemetry.getTracer(SCOPE);
        // a disabled SDK (quarkus.otel.sdk.disabled) propagates nothing: nothing to carry, no span worth starting
        this.enabled = propagator.fields().contains(TRACEPARENT);
    }

    /** Tracing off: no spans, no headers. */
    public static Tracing off() {
        return OFF;
    }

    public boolean enabled() {
        return enabled;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** The context the record's headers carry, {@link Context#root()} when they carry none or tracing is off. */
    public Context extract(Headers headers) {
        if (!enabled || headers == null) {
            return Context.root();
        }
        return propagator.extract(Context.root(), headers, HEADER_GETTER);
    }

    /** Writes the context's trace headers into the record's, replacing any there; nothing when tracing is off. */
    public void inject(Context context, Headers headers) {
        if (enabled
                && context != null
                && Span.fromContext(context).getSpanContext().isValid()) {
            propagator.inject(context, headers, HEADER_SETTER);
        }
    }

    /** The {@code traceparent} of the context's span, for a row or a store; null when off or there is none. */
    public String traceparent(Context context) {
        if (!enabled
                || context == null
                || !Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(4);
        propagator.inject(context, carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /** The {@code traceparent} of the span current on this thread (e.g. the REST request's); null when none. */
    public String currentTraceparent() {
        return enabled ? traceparent(Context.current()) : null;
    }

    /** The {@code traceparent} header of a record, as written (null when off, absent or not a valid context). */
    public String traceparent(Headers headers) {
        if (!enabled || headers == null) {
            return null;
        }
        return Span.fromContext(extract(headers)).getSpanContext().isValid()
                ? HEADER_GETTER.get(headers, TRACEPARENT)
                : null;
    }

    /** The span context a stored {@code traceparent} names; invalid when null, malformed or tracing is off. */
    public SpanContext spanContext(String traceparent) {
        if (!enabled || traceparent == null) {
            return SpanContext.getInvalid();
        }
        return Span.fromContext(propagator.extract(Context.root(), Map.of(TRACEPARENT, traceparent), MAP_GETTER))
                .getSpanContext();
    }

    /**
     * Starts the root span of a new trace, linked to {@code link} when that is valid (the unit of work it stems
     * from, in another trace). {@link Span#getInvalid()} when tracing is off.
     */
    public Span startRoot(String name, SpanKind kind, SpanContext link) {
        if (!enabled) {
            return Span.getInvalid();
        }
        SpanBuilder builder = tracer.spanBuilder(name).setSpanKind(kind).setNoParent();
        if (link != null && link.isValid()) {
            builder.addLink(link);
        }
        return builder.startSpan();
    }

    /** Starts a span under {@code parent}'s span (a root when it has none); {@link Span#getInvalid()} when off. */
    public Span startChild(String name, SpanKind kind, Context parent) {
        if (!enabled) {
            return Span.getInvalid();
        }
        return tracer.spanBuilder(name)
                .setSpanKind(kind)
                .setParent(parent == null ? Context.root() : parent)
                .startSpan();
    }
}
