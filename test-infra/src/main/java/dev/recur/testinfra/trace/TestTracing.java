package dev.recur.testinfra.trace;

import java.util.List;

import dev.recur.common.trace.Tracing;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

/**
 * Tracing on, with every ended span kept in memory: for tests that assert the spans a service makes and the trace
 * context it carries. {@link #SPANS} is one exporter per JVM, for the span processor bean of a Quarkus test with
 * {@link TracedProfile}.
 */
public final class TestTracing {

    /** The spans of a Quarkus test run: its span processor bean ({@link TracedSpans}) exports here. */
    public static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private final Tracing tracing = new Tracing(sdk);

    public Tracing tracing() {
        return tracing;
    }

    /** The spans ended so far, in the order they ended. */
    public List<SpanData> spans() {
        return spans.getFinishedSpanItems();
    }

    /** A processor exporting to {@link #SPANS} at once, as each span ends. */
    public static SpanProcessor processor() {
        return SimpleSpanProcessor.create(SPANS);
    }

    /** The trace id of a {@code traceparent} ({@code 00-<trace id>-<span id>-<flags>}). */
    public static String traceId(String traceparent) {
        return traceparent.split("-")[1];
    }

    /** The span id of a {@code traceparent}. */
    public static String spanId(String traceparent) {
        return traceparent.split("-")[2];
    }
}
