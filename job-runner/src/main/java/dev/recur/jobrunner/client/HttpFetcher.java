package dev.recur.jobrunner.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.recur.common.event.ResultPage;
import dev.recur.common.net.OutboundGuard;
import dev.recur.common.net.RefusedTargetException;
import dev.recur.common.net.Resolver;
import dev.recur.jobrunner.config.JobRunnerConfig;
import io.netty.util.NetUtil;
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

/**
 * The built-in backend for {@code source: universal} items: a plain GET of the item's {@code url}, so
 * that Recur is useful without a scraping account. It follows redirects itself, so that every hop
 * passes the {@link OutboundGuard}, and connects to the address it checked, never to a second lookup.
 */
public final class HttpFetcher implements ScraperBackend {

    private final Vertx vertx;
    private final HttpClient http;
    private final JobRunnerConfig.Fetcher config;
    private final OutboundGuard guard;
    private final Clock clock;

    public HttpFetcher(Vertx vertx, JobRunnerConfig.Fetcher config, int maxConnections, Clock clock) {
        this(vertx, config, maxConnections, clock, Resolver.SYSTEM);
    }

    HttpFetcher(Vertx vertx, JobRunnerConfig.Fetcher config, int maxConnections, Clock clock, Resolver resolver) {
        this.vertx = vertx;
        this.config = config;
        this.clock = clock;
        this.guard = new OutboundGuard("recur.job-runner.fetcher.allow", config.allow().orElse(List.of()), resolver);
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(Math.max(1, maxConnections))
                // SNI and certificate checks by host name although the connection goes to a checked address
                .setForceSni(true)
                .setVerifyHost(true));
    }

    @Override
    public String name() {
        return JobRunnerConfig.HTTP_FETCHER;
    }

    @Override
    public CompletionStage<ScrapeOutcome> scrape(ObjectNode item) {
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
        return new Fetch(url, target).outcome;
    }

    /**
     * One item's fetch, hop by hop, without a thread waiting for it: each step runs when the previous one
     * completes (on a Vert.x event loop, or a worker for a DNS lookup), and a timer bounds the whole fetch.
     */
    private final class Fetch {

        private final String url;
        private final Instant started = clock.instant();
        private final CompletableFuture<ScrapeOutcome> outcome = new CompletableFuture<>();
        private final long timer;
        private volatile URI target;
        private volatile HttpClientRequest request;

        Fetch(String url, URI first) {
            this.url = url;
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
                finish(ScrapeOutcome.Failure.permanent(0, "more than " + config.maxRedirects() + " redirects from "
                        + url));
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
                    finish(checked.cause() instanceof RefusedTargetException refused
                            ? ScrapeOutcome.Failure.permanent(0, refused.getMessage())
                            : ScrapeOutcome.Failure.transientFailure(0, "cannot resolve " + host));
                    return;
                }
                get(next, checked.result()).onComplete(answer -> {
                    if (answer.succeeded()) {
                        answered(next, hop, answer.result());
                    } else if (answer.cause() instanceof BodyTooLarge tooLarge) {
                        finish(ScrapeOutcome.Failure.permanent(tooLarge.status, "page at " + next
                                + " is larger than " + config.maxBodyBytes() + " bytes"));
                    } else {
                        finish(ScrapeOutcome.Failure.transientFailure(0, "cannot fetch " + next + ": "
                                + answer.cause()));
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
            if (status >= 200 && status < 300) {
                String content = response.body.toString(charset(response.headers.get(HttpHeaders.CONTENT_TYPE)));
                finish(new ScrapeOutcome.Success(status, List.of(new ResultPage(TextNode.valueOf(content), status,
                        current.toString(), 1, started, clock.instant(), null, null))));
                return;
            }
            String reason = "target " + current + " answered " + status;
            if (ScrapeOutcome.isRetryableStatus(status)) {
                finish(new ScrapeOutcome.Failure(status, reason, true,
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
                        readBody(head.result()).onComplete(answer);
                    } else {
                        answer.tryFail(head.cause());
                    }
                });
                sent.end().onFailure(answer::tryFail);
                return answer.future();
            });
        }

        private void timedOut() {
            if (outcome.complete(ScrapeOutcome.Failure.transientFailure(0, "target " + target
                    + " did not answer within " + config.timeout()))) {
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

    private Future<Response> readBody(HttpClientResponse response) {
        Promise<Response> result = Promise.promise();
        long max = config.maxBodyBytes();
        String declared = response.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared != null && declared.chars().allMatch(Character::isDigit) && !declared.isEmpty()
                && Long.parseLong(declared) > max) {
            response.request().reset();
            return Future.failedFuture(new BodyTooLarge(response.statusCode()));
        }
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if ((long) body.length() + chunk.length() > max) {
                if (result.tryFail(new BodyTooLarge(response.statusCode()))) {
                    response.request().reset();
                }
            } else {
                body.appendBuffer(chunk);
            }
        });
        response.exceptionHandler(result::tryFail);
        response.endHandler(done -> result.tryComplete(new Response(response.statusCode(), response.headers(), body)));
        return result.future();
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

    private record Response(int status, MultiMap headers, Buffer body) {
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
