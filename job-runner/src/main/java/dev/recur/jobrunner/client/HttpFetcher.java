package dev.recur.jobrunner.client;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.recur.common.event.ResultPage;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.net.OutboundGuard;
import dev.recur.common.net.RefusedTargetException;
import dev.recur.common.net.Resolver;
import dev.recur.jobrunner.config.JobRunnerConfig;
import io.netty.util.NetUtil;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.tracing.TracingPolicy;

/**
 * The built-in backend for {@code source: universal} items: a plain GET of the item's {@code url}, so
 * that Recur is useful without a scraping account. It follows redirects itself, so that every hop
 * passes the {@link OutboundGuard}, and connects to the address it checked, never to a second lookup.
 *
 * <p>Memory: a 2xx body is read into memory up to the stream threshold; a larger one goes to the job's claim check as
 * it arrives ({@link StreamedPage}, one part at a time), so a page costs at most {@link #streamReserve} bytes of heap
 * whatever its size. Both amounts are reserved from the job's {@link MemoryAllowance} before the body is read on: when
 * the owner's or the service's budget is spent, the response is paused until bytes are given back. The body of any
 * other answer is read and dropped.
 */
public final class HttpFetcher implements ScraperBackend {

    /** Heap a body held in memory costs per byte: the bytes, the decoded text and its JSON. */
    static final int IN_MEMORY_FACTOR = 3;

    private final Vertx vertx;
    private final HttpClient http;
    private final JobRunnerConfig.Fetcher config;
    private final OutboundGuard guard;
    private final Clock clock;
    private final ClaimUploads uploads;
    private final long streamThreshold;

    public HttpFetcher(Vertx vertx, JobRunnerConfig.Fetcher config, int maxConnections, Clock clock) {
        this(vertx, config, maxConnections, clock, null, Long.MAX_VALUE, Resolver.SYSTEM);
    }

    /** A fetcher that streams bodies above {@code streamThreshold} bytes to {@code uploads}. */
    public HttpFetcher(
            Vertx vertx,
            JobRunnerConfig.Fetcher config,
            int maxConnections,
            Clock clock,
            ClaimUploads uploads,
            long streamThreshold) {
        this(vertx, config, maxConnections, clock, uploads, streamThreshold, Resolver.SYSTEM);
    }

    HttpFetcher(Vertx vertx, JobRunnerConfig.Fetcher config, int maxConnections, Clock clock, Resolver resolver) {
        this(vertx, config, maxConnections, clock, null, Long.MAX_VALUE, resolver);
    }

    HttpFetcher(
            Vertx vertx,
            JobRunnerConfig.Fetcher config,
            int maxConnections,
            Clock clock,
            ClaimUploads uploads,
            long streamThreshold,
            Resolver resolver) {
        this.vertx = vertx;
        this.config = config;
        this.clock = clock;
        this.uploads = uploads;
        this.streamThreshold = uploads == null ? Long.MAX_VALUE : Math.max(0, streamThreshold);
        this.guard = new OutboundGuard(
                "recur.job-runner.fetcher.allow", config.allow().orElse(List.of()), resolver);
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(Math.max(1, maxConnections))
                // SNI and certificate checks by host name although the connection goes to a checked address
                .setForceSni(true)
                .setVerifyHost(true)
                // a fetched site is not told about the deployment's traces (docs/operations.md, Tracing)
                .setTracingPolicy(TracingPolicy.IGNORE));
    }

    @Override
    public String name() {
        return JobRunnerConfig.HTTP_FETCHER;
    }

    /** Heap reserved for a body read into memory, before its first byte: for a body of up to {@code threshold}. */
    public static long inMemoryReserve(long threshold, long maxBodyBytes) {
        return IN_MEMORY_FACTOR * Math.min(threshold, maxBodyBytes);
    }

    /**
     * Heap reserved for a body streamed to the claim-check store: one part, and the escaped text of what was read
     * into memory before (a character takes up to six bytes escaped).
     */
    public static long streamReserve(long threshold) {
        return ClaimUploads.MIN_PART_BYTES + 7 * threshold + 65536;
    }

    @Override
    public CompletionStage<ScrapeOutcome> scrape(ObjectNode item) {
        return scrape(item, ScrapeContext.NONE);
    }

    @Override
    public CompletionStage<ScrapeOutcome> scrape(ObjectNode item, ScrapeContext context) {
        String url = item.path("url").asText("");
        if (url.isBlank()) {
            return CompletableFuture.completedFuture(ScrapeOutcome.Failure.permanent(0, "item has no url to fetch"));
        }
        URI target;
        try {
            target = new URI(url);
        } catch (URISyntaxException e) {
            return CompletableFuture.completedFuture(
                    ScrapeOutcome.Failure.permanent(0, "item url is not a URL: " + e.getMessage()));
        }
        return new Fetch(url, target, context).outcome;
    }

    /**
     * One item's fetch, hop by hop, without a thread waiting for it: each step runs when the previous one
     * completes (on a Vert.x event loop, or a worker for a DNS lookup), and a timer bounds the whole fetch.
     */
    private final class Fetch {

        private final String url;
        private final ScrapeContext context;
        private final Instant started = clock.instant();
        private final CompletableFuture<ScrapeOutcome> outcome = new CompletableFuture<>();
        private final long timer;
        private volatile URI target;
        private volatile HttpClientRequest request;
        private volatile BodyReader reader;

        Fetch(String url, URI first, ScrapeContext context) {
            this.url = url;
            this.context = context;
            this.target = first;
            this.timer = vertx.setTimer(Math.max(1, config.timeout().toMillis()), id -> timedOut());
            hop(first, 0);
        }

        private void hop(URI next, int hop) {
            if (outcome.isDone()) {
                return;
            }
            target = next;
            if (hop > config.maxRedirects()) {
                finish(ScrapeOutcome.Failure.permanent(
                        0, "more than " + config.maxRedirects() + " redirects from " + url));
                return;
            }
            Optional<String> invalid = checkShape(next);
            if (invalid.isPresent()) {
                finish(ScrapeOutcome.Failure.permanent(0, invalid.get()));
                return;
            }
            String host = next.getHost();
            check(host).onComplete(checked -> {
                if (checked.failed()) {
                    finish(
                            checked.cause() instanceof RefusedTargetException refused
                                    ? ScrapeOutcome.Failure.permanent(0, refused.getMessage())
                                    : ScrapeOutcome.Failure.transientFailure(0, "cannot resolve " + host));
                    return;
                }
                get(next, checked.result()).onComplete(answer -> {
                    if (answer.succeeded()) {
                        answered(next, hop, answer.result());
                    } else if (answer.cause() instanceof BodyTooLarge tooLarge) {
                        finish(ScrapeOutcome.Failure.permanent(
                                tooLarge.status,
                                "page at " + next + " is larger than " + config.maxBodyBytes() + " bytes"));
                    } else if (answer.cause() instanceof StoreFailed failed) {
                        finish(ScrapeOutcome.Failure.transientFailure(
                                0,
                                "cannot store the page at " + next + " in the results bucket: " + failed.getCause()));
                    } else {
                        finish(ScrapeOutcome.Failure.transientFailure(
                                0, "cannot fetch " + next + ": " + answer.cause()));
                    }
                });
            });
        }

        private void answered(URI current, int hop, Response response) {
            int status = response.status;
            String location = response.headers.get(HttpHeaders.LOCATION);
            if (status >= 300 && status < 400 && location != null) {
                URI next;
                try {
                    next = current.resolve(new URI(location.trim()));
                } catch (URISyntaxException e) {
                    finish(ScrapeOutcome.Failure.permanent(status, "redirect to an invalid URL: " + location));
                    return;
                }
                hop(next, hop + 1);
                return;
            }
            if (status >= 200 && status < 300 && response.claim != null) {
                finish(new ScrapeOutcome.Claimed(status, response.claim));
                return;
            }
            if (status >= 200 && status < 300) {
                String content = response.body.toString(charset(response.headers.get(HttpHeaders.CONTENT_TYPE)));
                finish(new ScrapeOutcome.Success(
                        status,
                        List.of(new ResultPage(
                                TextNode.valueOf(content),
                                status,
                                current.toString(),
                                1,
                                started,
                                clock.instant(),
                                null,
                                null))));
                return;
            }
            String reason = "target " + current + " answered " + status;
            if (ScrapeOutcome.isRetryableStatus(status)) {
                finish(new ScrapeOutcome.Failure(
                        status,
                        reason,
                        true,
                        RetryAfter.parse(Optional.ofNullable(response.headers.get("Retry-After")), clock.instant())));
                return;
            }
            finish(ScrapeOutcome.Failure.permanent(status, reason));
        }

        private Future<Response> get(URI current, InetAddress address) {
            boolean tls = "https".equalsIgnoreCase(current.getScheme());
            int port = current.getPort() != -1 ? current.getPort() : tls ? 443 : 80;
            String path = current.getRawPath() == null || current.getRawPath().isEmpty() ? "/" : current.getRawPath();
            if (current.getRawQuery() != null) {
                path += "?" + current.getRawQuery();
            }
            String host = current.getHost().startsWith("[")
                    ? current.getHost().substring(1, current.getHost().length() - 1)
                    : current.getHost();
            RequestOptions options = new RequestOptions()
                    .setMethod(HttpMethod.GET)
                    .setHost(host)
                    .setPort(port)
                    .setSsl(tls)
                    .setURI(path)
                    .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                    .setFollowRedirects(false)
                    .putHeader(HttpHeaders.USER_AGENT, config.userAgent())
                    .putHeader(HttpHeaders.ACCEPT, "*/*");
            return http.request(options).compose(sent -> {
                request = sent;
                if (outcome.isDone()) {
                    // timed out while the connection was being made
                    sent.reset();
                    return Future.failedFuture(new TimeoutException());
                }
                // the body handlers must be in place before the response can end: a handler added to send()'s
                // future after the answer came (from a thread other than the connection's) ran too late for a
                // response without a body ("Response already ended")
                Promise<Response> answer = Promise.promise();
                sent.response(head -> {
                    if (head.succeeded()) {
                        BodyReader body = new BodyReader(this, head.result(), current);
                        reader = body;
                        body.read().onComplete(answer);
                    } else {
                        answer.tryFail(head.cause());
                    }
                });
                sent.end().onFailure(answer::tryFail);
                return answer.future();
            });
        }

        private void timedOut() {
            BodyReader body = reader;
            String reason = body != null && body.waitingForMemory
                    ? "page at " + target + " waited more than " + config.timeout() + " for heap (its owner's or"
                            + " the service's budget of bytes in flight was spent)"
                    : "target " + target + " did not answer within " + config.timeout();
            if (outcome.complete(ScrapeOutcome.Failure.transientFailure(0, reason))) {
                if (body != null) {
                    body.abandon();
                }
                HttpClientRequest open = request;
                if (open != null) {
                    // frees the pooled connection that still waits for the slow answer
                    open.reset();
                }
            }
        }

        private void finish(ScrapeOutcome result) {
            if (outcome.complete(result)) {
                vertx.cancelTimer(timer);
                BodyReader body = reader;
                // a page held in memory stays reserved until the job has used it (its allowance ends then)
                if (body != null && result instanceof ScrapeOutcome.Failure) {
                    body.abandon();
                }
            }
        }
    }

    /**
     * The address to connect to, if the guard lets the host through; an address literal needs no lookup, a name is
     * looked up on a worker, as the JDK's resolver blocks.
     */
    private Future<InetAddress> check(String host) {
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare)) {
            try {
                return Future.succeededFuture(guard.check(host));
            } catch (Exception e) {
                return Future.failedFuture(e);
            }
        }
        return vertx.executeBlocking(() -> guard.check(host), false);
    }

    private static Optional<String> checkShape(URI target) {
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("only http and https URLs can be fetched: " + target);
        }
        if (target.getHost() == null || target.getHost().isEmpty()) {
            return Optional.of("URL has no host: " + target);
        }
        if (target.getUserInfo() != null) {
            return Optional.of("URL must not carry credentials: " + target.getHost());
        }
        return Optional.empty();
    }

    /**
     * Reads one answer's body: into memory up to the stream threshold, then into the job's claim check; the body of
     * an answer that is not a 2xx is dropped. Runs on the response's context; blocking uploads run on a worker while
     * the response is paused.
     */
    private final class BodyReader {

        private final Fetch fetch;
        private final HttpClientResponse response;
        private final URI url;
        private final Context context;
        private final MemoryAllowance memory;
        private final boolean keep;
        private final Promise<Response> result = Promise.promise();
        /** What a refused reservation waits for; the same callback every time, so the budget queues it once. */
        private final Runnable onFreed;

        private Runnable waitingStep;
        volatile boolean waitingForMemory;
        private long total;
        private Buffer body = Buffer.buffer();
        private long heldInMemory;
        private long heldForStream;
        private StreamedPage page;
        private ClaimUploads.Upload upload;
        private boolean switching;
        private boolean uploading;
        private boolean ended;
        private volatile boolean abandoned;

        BodyReader(Fetch fetch, HttpClientResponse response, URI url) {
            this.fetch = fetch;
            this.response = response;
            this.url = url;
            this.context = Vertx.currentContext();
            this.memory = fetch.context.memory();
            this.keep = response.statusCode() >= 200 && response.statusCode() < 300;
            this.onFreed = () -> context.runOnContext(v -> {
                Runnable step = waitingStep;
                if (step != null && !abandoned) {
                    step.run();
                }
            });
        }

        Future<Response> read() {
            long max = config.maxBodyBytes();
            String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
            long length = declared != null
                            && !declared.isEmpty()
                            && declared.length() < 19
                            && declared.chars().allMatch(Character::isDigit)
                    ? Long.parseLong(declared)
                    : -1;
            if (length > max) {
                response.request().reset();
                return Future.failedFuture(new BodyTooLarge(response.statusCode()));
            }
            response.handler(this::chunk);
            response.exceptionHandler(this::fail);
            response.endHandler(done -> end());
            if (keep) {
                response.pause();
                long expected = length >= 0 ? Math.min(length, streamThreshold) : Math.min(streamThreshold, max);
                reserve(IN_MEMORY_FACTOR * expected, reserved -> {
                    heldInMemory = reserved;
                    response.resume();
                });
            }
            return result.future();
        }

        /** Reserves {@code bytes} now, or once the budget has them, then goes on with {@code then}. */
        private void reserve(long bytes, java.util.function.LongConsumer then) {
            if (abandoned) {
                return;
            }
            if (memory.tryReserve(bytes, onFreed)) {
                waitingForMemory = false;
                waitingStep = null;
                then.accept(bytes);
            } else {
                waitingForMemory = true;
                waitingStep = () -> reserve(bytes, then);
            }
        }

        private void chunk(Buffer chunk) {
            if (result.future().isComplete() || abandoned) {
                return;
            }
            total += chunk.length();
            if (total > config.maxBodyBytes()) {
                if (result.tryFail(new BodyTooLarge(response.statusCode()))) {
                    response.request().reset();
                    abandon();
                }
                return;
            }
            if (!keep) {
                return;
            }
            if (page != null) {
                page.write(chunk.getBytes());
                flushIfFull();
                return;
            }
            body.appendBuffer(chunk);
            if (total > streamThreshold && !switching) {
                switching = true;
                response.pause();
                reserve(streamReserve(streamThreshold), reserved -> {
                    heldForStream = reserved;
                    startStream();
                });
            }
        }

        private void startStream() {
            long jobId = fetch.context.jobId();
            blocking(() -> uploads.open(jobId), opened -> {
                upload = opened;
                page = new StreamedPage(charset(response.getHeader(HttpHeaders.CONTENT_TYPE)), (int)
                        Math.min(Integer.MAX_VALUE - 8, streamReserve(streamThreshold)));
                page.write(body.getBytes());
                body = null;
                memory.release(heldInMemory);
                heldInMemory = 0;
                if (ended) {
                    complete();
                } else {
                    flushIfFull();
                }
            });
        }

        /** Uploads a part once one is buffered, with the response paused meanwhile; resumes it otherwise. */
        private void flushIfFull() {
            if (page.pending() < ClaimUploads.MIN_PART_BYTES) {
                response.resume();
                return;
            }
            response.pause();
            uploading = true;
            byte[] bytes = page.buffer();
            int length = page.pending();
            blocking(
                    () -> {
                        upload.part(bytes, length);
                        return null;
                    },
                    done -> {
                        uploading = false;
                        page.clear();
                        if (ended) {
                            complete();
                        } else {
                            response.resume();
                        }
                    });
        }

        private void end() {
            if (result.future().isComplete() || abandoned) {
                return;
            }
            ended = true;
            if (!keep) {
                result.tryComplete(new Response(response.statusCode(), response.headers(), null, null));
            } else if (!switching) {
                result.tryComplete(new Response(response.statusCode(), response.headers(), body, null));
            } else if (page != null && !uploading) {
                complete();
            }
            // else: the part being uploaded, or the upload being opened, completes the page when it is done
        }

        private void complete() {
            page.end(response.statusCode(), url.toString(), fetch.started, clock.instant());
            byte[] bytes = page.buffer();
            int length = page.pending();
            blocking(
                    () -> {
                        upload.part(bytes, length);
                        return upload.complete();
                    },
                    ref -> {
                        memory.release(heldForStream);
                        heldForStream = 0;
                        upload = null;
                        result.tryComplete(new Response(response.statusCode(), response.headers(), null, ref));
                    });
        }

        private void fail(Throwable error) {
            if (result.tryFail(error)) {
                abandon();
            }
        }

        /** Runs {@code work} on a worker, then {@code then} back on the response's context; a failure ends the read. */
        private <T> void blocking(java.util.concurrent.Callable<T> work, java.util.function.Consumer<T> then) {
            vertx.<T>executeBlocking(work, false)
                    .onComplete(done -> context.runOnContext(v -> {
                        if (abandoned || result.future().isComplete()) {
                            return;
                        }
                        if (done.succeeded()) {
                            then.accept(done.result());
                        } else {
                            if (result.tryFail(new StoreFailed(done.cause()))) {
                                response.request().reset();
                                abandon();
                            }
                        }
                    }));
        }

        /** The fetch ended without this body: drops the claim check being written and gives the heap back. */
        void abandon() {
            if (abandoned) {
                return;
            }
            abandoned = true;
            context.runOnContext(v -> {
                waitingStep = null;
                body = null;
                page = null;
                memory.release(heldInMemory + heldForStream);
                heldInMemory = 0;
                heldForStream = 0;
                ClaimUploads.Upload open = upload;
                upload = null;
                if (open != null) {
                    vertx.executeBlocking(
                            () -> {
                                open.abort();
                                return null;
                            },
                            false);
                }
            });
        }
    }

    private static Charset charset(String contentType) {
        if (contentType != null) {
            for (String part : contentType.split(";")) {
                String p = part.trim();
                if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
                    try {
                        return Charset.forName(p.substring(8).replace("\"", "").trim());
                    } catch (IllegalArgumentException unknown) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
        }
        return StandardCharsets.UTF_8;
    }

    private record Response(int status, MultiMap headers, Buffer body, ResultsRef claim) {}

    private static final class StoreFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StoreFailed(Throwable cause) {
            super(cause);
        }
    }

    private static final class BodyTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient int status;

        BodyTooLarge(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    /** Closes the connection pool. */
    public void close() {
        http.close();
    }
}
