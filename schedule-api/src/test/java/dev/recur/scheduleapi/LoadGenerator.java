package dev.recur.scheduleapi;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;

/**
 * A lean HTTP/1.1 load generator for the benchmark: one Vert.x event loop drives every connection, each a
 * closed loop (the next request leaves when the previous answer is read). java.net.http spends about as much
 * CPU per request as the service itself, on the same two cores; this spends a fraction of it, and it runs on a
 * single thread whose CPU time is measured and reported apart from the service's.
 */
final class LoadGenerator implements AutoCloseable {

    /** One request of a loop; completes with true when the answer was the expected one. */
    interface Request {
        Future<Boolean> send(HttpClient client, int loop);
    }

    record Result(
            String name, int connections, long requests, long errors, double seconds, long p50Micros, long p99Micros) {

        double perSecond() {
            return requests / seconds;
        }

        @Override
        public String toString() {
            return String.format(
                    "%-24s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  (%d requests, %d errors, %.1f s,"
                            + " %d connections)",
                    name, perSecond(), p50Micros / 1000.0, p99Micros / 1000.0, requests, errors, seconds, connections);
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final long threadId;

    LoadGenerator(int port, int connections) {
        vertx = Vertx.vertx(
                new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setDefaultHost("localhost")
                        .setDefaultPort(port)
                        .setKeepAlive(true)
                        .setConnectTimeout(10_000),
                new PoolOptions().setHttp1MaxSize(connections));
        CompletableFuture<Long> id = new CompletableFuture<>();
        vertx.runOnContext(v -> id.complete(Thread.currentThread().getId()));
        threadId = id.join();
    }

    /** CPU time the generator's event loop has used so far. */
    long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(threadId);
    }

    Result run(String name, int connections, Duration duration, Request request) throws Exception {
        return run(name, connections, duration, Long.MAX_VALUE, request);
    }

    /** Stops at {@code duration} or after {@code maxRequests}, whichever comes first. */
    Result run(String name, int connections, Duration duration, long maxRequests, Request request) throws Exception {
        Run run = new Run(connections, System.nanoTime() + duration.toNanos(), maxRequests, request);
        long start = System.nanoTime();
        vertx.runOnContext(v -> {
            for (int loop = 0; loop < connections; loop++) {
                run.next(loop);
            }
        });
        run.done.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = Arrays.copyOf(run.latencies, run.count);
        Arrays.sort(sorted);
        return new Result(
                name, connections, run.count, run.errors, seconds, percentile(sorted, 0.50), percentile(sorted, 0.99));
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    /** The state of one phase; touched only by the event loop thread. */
    private final class Run {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final long deadline;
        final long maxRequests;
        final Request request;
        long started;
        int running;
        long[] latencies = new long[1 << 16];
        int count;
        long errors;

        Run(int connections, long deadline, long maxRequests, Request request) {
            this.running = connections;
            this.deadline = deadline;
            this.maxRequests = maxRequests;
            this.request = request;
        }

        void next(int loop) {
            if (System.nanoTime() >= deadline || started++ >= maxRequests) {
                if (--running == 0) {
                    done.complete(null);
                }
                return;
            }
            long t0 = System.nanoTime();
            request.send(client, loop).onComplete(ok -> {
                if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = (System.nanoTime() - t0) / 1000;
                if (ok.failed() || !ok.result()) {
                    errors++;
                }
                next(loop);
            });
        }
    }

    @Override
    public void close() {
        client.close().toCompletionStage().toCompletableFuture().join();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
