package dev.recur.reliability;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.recur.testinfra.Ports;

/**
 * A peer of Recur on 127.0.0.1 that answers at once: the scraper (Oxylabs-compatible {@code POST /v1/queries}) and
 * the callback receiver ({@code POST /hook}, counting each job's callbacks by {@code X-Recur-Job-Id}). It keeps its
 * port across {@link #down()} and {@link #up()}, so that callback URLs stay valid while it is away: while down,
 * nothing listens (connection refused), as when a receiver crashed.
 */
final class LocalPeer implements AutoCloseable {

    static final String SCRAPER_RESULT = "{\"results\":[{\"content\":{\"title\":\"Echo Dot\",\"price\":49.99},"
            + "\"status_code\":200,\"url\":\"https://www.amazon.com/dp/B098FKXT8L\",\"page\":1,"
            + "\"created_at\":\"2026-11-29 16:00:02\",\"updated_at\":\"2026-11-29 16:00:08\","
            + "\"job_id\":\"7346445033316311041\",\"parser_type\":\"amazon_product\"}],"
            + "\"job\":{\"id\":\"7346445033316311041\",\"status\":\"done\"}}";

    private final int port;
    private final Map<Long, AtomicInteger> callbacks = new ConcurrentHashMap<>();
    private final Map<Long, Long> firstCallbackNanos = new ConcurrentHashMap<>();
    private final AtomicLong unidentifiedCallbacks = new AtomicLong();
    private final AtomicLong scraperCalls = new AtomicLong();
    private HttpServer server;
    private ExecutorService executor;

    LocalPeer() {
        this.port = Ports.free();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    String callbackUrl() {
        return baseUrl() + "/hook";
    }

    synchronized void up() {
        if (server != null) {
            return;
        }
        // connections of the previous life may still hold the port for a moment
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(this::bind);
        server.createContext("/v1/queries", this::scrape);
        server.createContext("/hook", this::callback);
        executor = Executors.newFixedThreadPool(16);
        server.setExecutor(executor);
        server.start();
    }

    /** Stops listening at once; requests in progress are cut. */
    synchronized void down() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private boolean bind() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
            return true;
        } catch (BindException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long scraperCalls() {
        return scraperCalls.get();
    }

    /** Callbacks received (and answered 200) per job id. */
    Map<Long, AtomicInteger> callbacks() {
        return callbacks;
    }

    int distinctCallbacks() {
        return callbacks.size();
    }

    /** When the first callback of each job id arrived, as {@link System#nanoTime()}. */
    Map<Long, Long> firstCallbackNanos() {
        return firstCallbackNanos;
    }

    /** Callbacks received beyond the first, over all jobs. */
    long duplicateCallbacks() {
        return callbacks.values().stream().mapToLong(c -> c.get() - 1L).sum();
    }

    /** Callbacks without a readable {@code X-Recur-Job-Id}. */
    long unidentifiedCallbacks() {
        return unidentifiedCallbacks.get();
    }

    @Override
    public void close() {
        down();
    }

    private void scrape(HttpExchange exchange) throws IOException {
        drain(exchange.getRequestBody());
        scraperCalls.incrementAndGet();
        respond(exchange, 200, SCRAPER_RESULT);
    }

    private void callback(HttpExchange exchange) throws IOException {
        drain(exchange.getRequestBody());
        String jobId = exchange.getRequestHeaders().getFirst("X-Recur-Job-Id");
        try {
            long id = Long.parseLong(jobId);
            firstCallbackNanos.putIfAbsent(id, System.nanoTime());
            callbacks.computeIfAbsent(id, i -> new AtomicInteger()).incrementAndGet();
        } catch (NumberFormatException e) {
            unidentifiedCallbacks.incrementAndGet();
        }
        respond(exchange, 200, "");
    }

    private static void drain(InputStream body) throws IOException {
        body.readAllBytes();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
