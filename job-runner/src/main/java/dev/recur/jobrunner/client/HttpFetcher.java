package dev.recur.jobrunner.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.recur.common.event.ResultPage;
import dev.recur.jobrunner.config.JobRunnerConfig;
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
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The built-in backend for {@code source: universal} items: a plain GET of the item's {@code url}, so
 * that Recur is useful without a scraping account. It follows redirects itself, so that every hop
 * passes the {@link TargetGuard}, and connects to the address it checked, never to a second lookup.
 */
public final class HttpFetcher implements ScraperBackend {

    private final HttpClient http;
    private final JobRunnerConfig.Fetcher config;
    private final TargetGuard guard;
    private final Clock clock;

    public HttpFetcher(Vertx vertx, JobRunnerConfig.Fetcher config, int maxConnections, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.guard = new TargetGuard(config.allow().orElse(List.of()));
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
    public ScrapeOutcome scrape(ObjectNode item) {
        String url = item.path("url").asText("");
        if (url.isBlank()) {
            return ScrapeOutcome.Failure.permanent(0, "item has no url to fetch");
        }
        URI target;
        try {
            target = new URI(url);
        } catch (URISyntaxException e) {
            return ScrapeOutcome.Failure.permanent(0, "item url is not a URL: " + e.getMessage());
        }
        long deadline = System.nanoTime() + config.timeout().toNanos();
        Instant started = clock.instant();
        for (int hop = 0; hop <= config.maxRedirects(); hop++) {
            Optional<String> invalid = checkShape(target);
            if (invalid.isPresent()) {
                return ScrapeOutcome.Failure.permanent(0, invalid.get());
            }
            String host = target.getHost();
            List<InetAddress> addresses;
            try {
                addresses = List.of(InetAddress.getAllByName(host));
            } catch (UnknownHostException e) {
                return ScrapeOutcome.Failure.transientFailure(0, "cannot resolve " + host);
            }
            Optional<String> refusal = guard.refusal(host, addresses);
            if (refusal.isPresent()) {
                return ScrapeOutcome.Failure.permanent(0, refusal.get());
            }
            Response response;
            try {
                response = get(target, addresses.get(0), deadline);
            } catch (BodyTooLarge e) {
                return ScrapeOutcome.Failure.permanent(e.status, "page at " + target + " is larger than "
                        + config.maxBodyBytes() + " bytes");
            } catch (TimeoutException e) {
                return ScrapeOutcome.Failure.transientFailure(0, "target " + target + " did not answer within "
                        + config.timeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ScrapeOutcome.Failure.transientFailure(0, "interrupted while fetching " + target);
            } catch (ExecutionException e) {
                return ScrapeOutcome.Failure.transientFailure(0, "cannot fetch " + target + ": " + e.getCause());
            }
            int status = response.status;
            String location = response.headers.get(HttpHeaders.LOCATION);
            if (status >= 300 && status < 400 && location != null) {
                try {
                    target = target.resolve(new URI(location.trim()));
                } catch (URISyntaxException e) {
                    return ScrapeOutcome.Failure.permanent(status, "redirect to an invalid URL: " + location);
                }
                continue;
            }
            if (status >= 200 && status < 300) {
                String content = response.body.toString(charset(response.headers.get(HttpHeaders.CONTENT_TYPE)));
                Instant finished = clock.instant();
                return new ScrapeOutcome.Success(status, List.of(new ResultPage(TextNode.valueOf(content), status,
                        target.toString(), 1, started, finished, null, null)));
            }
            String reason = "target " + target + " answered " + status;
            if (ScrapeOutcome.isRetryableStatus(status)) {
                return new ScrapeOutcome.Failure(status, reason, true,
                        RetryAfter.parse(Optional.ofNullable(response.headers.get("Retry-After")), clock.instant()));
            }
            return ScrapeOutcome.Failure.permanent(status, reason);
        }
        return ScrapeOutcome.Failure.permanent(0, "more than " + config.maxRedirects() + " redirects from " + url);
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

    private Response get(URI target, InetAddress address, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        boolean tls = "https".equalsIgnoreCase(target.getScheme());
        int port = target.getPort() != -1 ? target.getPort() : tls ? 443 : 80;
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        if (target.getRawQuery() != null) {
            path += "?" + target.getRawQuery();
        }
        String host = target.getHost().startsWith("[") ? target.getHost().substring(1, target.getHost().length() - 1)
                : target.getHost();
        long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(host)
                .setPort(port)
                .setSsl(tls)
                .setURI(path)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setFollowRedirects(false)
                .setIdleTimeout(remainingMillis)
                .putHeader(HttpHeaders.USER_AGENT, config.userAgent())
                .putHeader(HttpHeaders.ACCEPT, "*/*");
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        Future<Response> response = http.request(options)
                .compose(request -> {
                    sent.set(request);
                    return request.send();
                })
                .compose(this::readBody);
        try {
            return response.toCompletionStage().toCompletableFuture()
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BodyTooLarge tooLarge) {
                throw tooLarge;
            }
            throw e;
        } finally {
            HttpClientRequest request = sent.get();
            if (request != null && !response.succeeded()) {
                request.reset();
            }
        }
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
