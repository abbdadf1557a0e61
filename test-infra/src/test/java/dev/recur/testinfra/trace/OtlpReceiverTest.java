package dev.recur.testinfra.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

class OtlpReceiverTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "b7ad6b7169203331";
    private static final String PARENT = "00f067aa0ba902b7";
    private static final String LINKED_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String LINKED_SPAN = "53995c3f42cd8ad8";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldKeepTheSpansOfAnExportWithTheirServiceIdsLinksAndAttributes() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            HttpResponse<Void> response =
                    post(receiver.endpoint() + "/v1/traces", request().toByteArray(), null);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(receiver.requests()).isEqualTo(1);
            assertThat(receiver.spans()).hasSize(1);
            OtlpReceiver.ReceivedSpan span = receiver.spans().get(0);
            assertThat(span.service()).isEqualTo("recur-job-runner");
            assertThat(span.name()).isEqualTo("scrape http-fetcher");
            assertThat(span.kind()).isEqualTo("CLIENT");
            assertThat(span.traceId()).isEqualTo(TRACE);
            assertThat(span.spanId()).isEqualTo(SPAN);
            assertThat(span.parentSpanId()).isEqualTo(PARENT);
            assertThat(span.isRoot()).isFalse();
            assertThat(span.links()).containsExactly(new OtlpReceiver.Link(LINKED_TRACE, LINKED_SPAN));
            assertThat(span.attributes())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of("recur.job_id", "7261839304118206464", "recur.retryable", "false"));
        }
    }

    @Test
    void shouldTakeAGzippedExportAndRefuseWhatIsNotTraces() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.start()) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
                gzip.write(request().toByteArray());
            }

            assertThat(post(receiver.endpoint() + "/v1/traces", zipped.toByteArray(), "gzip")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(post(receiver.endpoint() + "/v1/metrics", request().toByteArray(), null)
                            .statusCode())
                    .isEqualTo(404);
            assertThat(post(receiver.endpoint() + "/v1/traces", new byte[] {1, 2, 3}, null)
                            .statusCode())
                    .isEqualTo(400);
            assertThat(receiver.spans())
                    .extracting(OtlpReceiver.ReceivedSpan::spanId)
                    .containsExactly(SPAN);
            assertThat(receiver.serviceProperties())
                    .containsEntry("quarkus.otel.sdk.disabled", "false")
                    .containsEntry("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf")
                    .containsEntry("quarkus.otel.exporter.otlp.traces.endpoint", receiver.endpoint());
        }
    }

    private HttpResponse<Void> post(String url, byte[] body, String encoding) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding());
    }

    private static ExportTraceServiceRequest request() {
        Span span = Span.newBuilder()
                .setTraceId(bytes(TRACE))
                .setSpanId(bytes(SPAN))
                .setParentSpanId(bytes(PARENT))
                .setName("scrape http-fetcher")
                .setKind(Span.SpanKind.SPAN_KIND_CLIENT)
                .addLinks(Span.Link.newBuilder().setTraceId(bytes(LINKED_TRACE)).setSpanId(bytes(LINKED_SPAN)))
                .addAllAttributes(List.of(
                        attribute("recur.job_id", AnyValue.newBuilder().setIntValue(7261839304118206464L)),
                        attribute("recur.retryable", AnyValue.newBuilder().setBoolValue(false))))
                .build();
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(Resource.newBuilder()
                                .addAttributes(attribute(
                                        "service.name", AnyValue.newBuilder().setStringValue("recur-job-runner"))))
                        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
                .build();
    }

    private static KeyValue attribute(String key, AnyValue.Builder value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    private static ByteString bytes(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }
}
