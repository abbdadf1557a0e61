package dev.recur.common.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TracingTest {

    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final Tracing tracing = new Tracing(OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build());

    @Test
    void shouldCarryASpansContextThroughRecordHeaders() {
        Span span = tracing.startChild("work", SpanKind.PRODUCER, Context.root());
        Headers headers = new RecordHeaders();

        tracing.inject(Context.root().with(span), headers);
        span.end();
        Context extracted = tracing.extract(headers);

        SpanContext carried = Span.fromContext(extracted).getSpanContext();
        assertThat(carried.isRemote()).isTrue();
        assertThat(carried.getTraceId()).isEqualTo(span.getSpanContext().getTraceId());
        assertThat(carried.getSpanId()).isEqualTo(span.getSpanContext().getSpanId());
        assertThat(tracing.traceparent(headers))
                .isEqualTo(tracing.traceparent(Context.root().with(span)))
                .startsWith("00-" + span.getSpanContext().getTraceId() + "-");
    }

    @Test
    void shouldStartARootSpanLinkedToAStoredContextAndChildrenInItsTrace() {
        Span root = tracing.startRoot("run", SpanKind.PRODUCER, tracing.spanContext(TRACEPARENT));
        Span child = tracing.startChild("call", SpanKind.CLIENT, Context.root().with(root));
        child.end();
        root.end();

        SpanData rootData = spans.getFinishedSpanItems().get(1);
        SpanData childData = spans.getFinishedSpanItems().get(0);
        assertThat(rootData.getTraceId()).isNotEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(rootData.getParentSpanContext().isValid()).isFalse();
        assertThat(rootData.getLinks()).singleElement().satisfies(link -> {
            assertThat(link.getSpanContext().getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
            assertThat(link.getSpanContext().getSpanId()).isEqualTo("b7ad6b7169203331");
        });
        assertThat(childData.getTraceId()).isEqualTo(rootData.getTraceId());
        assertThat(childData.getParentSpanId()).isEqualTo(rootData.getSpanId());
    }

    @Test
    void shouldIgnoreAMalformedHeader() {
        Headers headers = new RecordHeaders().add("traceparent", "00-nonsense".getBytes(StandardCharsets.UTF_8));

        assertThat(tracing.traceparent(headers)).isNull();
        assertThat(Span.fromContext(tracing.extract(headers)).getSpanContext().isValid())
                .isFalse();
        assertThat(tracing.spanContext("garbage").isValid()).isFalse();
    }

    @Test
    void shouldDoNothingWhenOff() {
        for (Tracing off : new Tracing[] {
            Tracing.off(),
            new Tracing(OpenTelemetry.noop()),
            // what Quarkus hands out with quarkus.otel.sdk.disabled=true: an SDK without propagators
            new Tracing(OpenTelemetrySdk.builder().build())
        }) {
            Headers in = new RecordHeaders().add("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8));
            Headers out = new RecordHeaders();
            Span span = off.startRoot("run", SpanKind.PRODUCER, off.spanContext(TRACEPARENT));

            off.inject(off.extract(in), out);

            assertThat(off.enabled()).isFalse();
            assertThat(span.getSpanContext().isValid()).isFalse();
            assertThat(out.toArray()).isEmpty();
            assertThat(off.traceparent(in)).isNull();
        }
    }
}
