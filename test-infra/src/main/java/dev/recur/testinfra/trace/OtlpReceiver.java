package dev.recur.testinfra.trace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * A stub OpenTelemetry collector in the test JVM: an HTTP server on the loopback address taking OTLP/HTTP protobuf
 * ({@code POST /v1/traces}, plain or gzipped) and keeping every span it is sent, for tests that run the services as
 * processes and assert what they traced. {@link #serviceProperties()} are the settings that make a service export to
 * it (the services' own default is OTLP over gRPC, which this stub does not speak).
 */
public final class OtlpReceiver implements AutoCloseable {

    private static final String TRACES_PATH = "/v1/traces";
    private static final HexFormat HEX = HexFormat.of();

    /** A link of a span to a span of another trace. */
    public record Link(String traceId, String spanId) {}

    /**
     * One span as received: ids in lower-case hex (parent empty for a root), {@code kind} as OTLP names it without
     * its prefix ({@code SERVER}, {@code CLIENT}, {@code PRODUCER}, {@code CONSUMER}, {@code INTERNAL}), the
     * resource's {@code service.name}, and attribute values as text.
     */
    public record ReceivedSpan(
            String service,
            String name,
            String kind,
            String traceId,
            String spanId,
            String parentSpanId,
            List<Link> links,
            Map<String, String> attributes) {

        public boolean isRoot() {
            return parentSpanId.isEmpty();
        }

        public String attribute(String key) {
            return attributes.get(key);
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%-20s %-24s %-8s trace %s span %s parent %-16s links %s",
                    service,
                    name,
                    kind,
                    traceId,
                    spanId,
                    parentSpanId.isEmpty() ? "-" : parentSpanId,
                    links.isEmpty()
                            ? "-"
                            : links.stream()
                                    .map(l -> l.traceId() + "/" + l.spanId())
                                    .collect(Collectors.joining(",")));
        }
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<ReceivedSpan> spans = new ArrayList<>();
    private int requests;

    private OtlpReceiver(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** A receiver on a free port of 127.0.0.1, taking requests at once. */
    public static OtlpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService threads = Executors.newSingleThreadExecutor(r -> {
                Thread thread = new Thread(r, "otlp-receiver");
                thread.setDaemon(true);
                return thread;
            });
            OtlpReceiver receiver = new OtlpReceiver(server, threads);
            server.createContext("/", receiver::handle);
            server.setExecutor(threads);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the OTLP receiver", e);
        }
    }

    /** The base URL a service's OTLP/HTTP exporter is given; it posts to {@code /v1/traces} under it. */
    public String endpoint() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":"
                + server.getAddress().getPort();
    }

    /**
     * The Quarkus settings that turn a service's tracing on and export its spans here over OTLP/HTTP protobuf, in
     * batches sent every 200 ms (rather than every 5 s) so that a test waits little for them.
     */
    public Map<String, String> serviceProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.otel.sdk.disabled", "false");
        props.put("quarkus.otel.exporter.otlp.traces.protocol", "http/protobuf");
        props.put("quarkus.otel.exporter.otlp.traces.endpoint", endpoint());
        props.put("quarkus.otel.bsp.schedule.delay", "PT0.2S");
        return props;
    }

    /** Every span received so far, in the order received. */
    public synchronized List<ReceivedSpan> spans() {
        return List.copyOf(spans);
    }

    /** The export requests taken so far. */
    public synchronized int requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())
                    || !exchange.getRequestURI().getPath().endsWith(TRACES_PATH)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            ExportTraceServiceRequest request;
            try (InputStream body = body(exchange)) {
                request = ExportTraceServiceRequest.parseFrom(body);
            } catch (IOException e) {
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            keep(request);
            byte[] response = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, response.length == 0 ? -1 : response.length);
            if (response.length > 0) {
                exchange.getResponseBody().write(response);
            }
        }
    }

    private static InputStream body(HttpExchange exchange) throws IOException {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        InputStream body = exchange.getRequestBody();
        return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(body) : body;
    }

    private synchronized void keep(ExportTraceServiceRequest request) {
        requests++;
        for (ResourceSpans resource : request.getResourceSpansList()) {
            String service = text(resource.getResource().getAttributesList()).getOrDefault("service.name", "");
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (Span span : scope.getSpansList()) {
                    spans.add(new ReceivedSpan(
                            service,
                            span.getName(),
                            span.getKind().name().replaceFirst("^SPAN_KIND_", ""),
                            hex(span.getTraceId()),
                            hex(span.getSpanId()),
                            hex(span.getParentSpanId()),
                            span.getLinksList().stream()
                                    .map(l -> new Link(hex(l.getTraceId()), hex(l.getSpanId())))
                                    .toList(),
                            text(span.getAttributesList())));
                }
            }
        }
    }

    private static String hex(ByteString bytes) {
        return HEX.formatHex(bytes.toByteArray());
    }

    private static Map<String, String> text(List<KeyValue> attributes) {
        Map<String, String> text = new LinkedHashMap<>();
        attributes.forEach(a -> text.put(a.getKey(), text(a.getValue())));
        return text;
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            case ARRAY_VALUE ->
                value.getArrayValue().getValuesList().stream()
                        .map(OtlpReceiver::text)
                        .collect(Collectors.joining(",", "[", "]"));
            case BYTES_VALUE -> hex(value.getBytesValue());
            default -> value.toString();
        };
    }
}
