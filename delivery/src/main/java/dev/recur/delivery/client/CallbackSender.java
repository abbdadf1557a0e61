package dev.recur.delivery.client;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import dev.recur.common.net.OutboundGuard;
import dev.recur.common.net.RefusedTargetException;
import dev.recur.common.net.Resolver;
import dev.recur.common.signing.CallbackSignature;
import dev.recur.common.signing.CallbackSignature.Signer;
import dev.recur.common.signing.SigningKeyring;
import dev.recur.common.time.ApiTime;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.domain.AttemptOutcome;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.tracing.TracingPolicy;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * POSTs the job object to an item's {@code callback_url}, on Quarkus' Vert.x event loop with pooled keep-alive
 * connections (a third less CPU per callback than the JDK's {@code HttpClient}, docs/performance-delivery.md);
 * the delivery worker that calls {@link #send} waits for the outcome.
 */
@ApplicationScoped
public class CallbackSender {

    private final DeliveryConfig.Callback config;
    private final OutboundGuard guard;
    private final JobObjectRenderer renderer;
    private final HttpClient http;
    private final long timeoutMillis;
    // the deployment's key: signs the callbacks of tenants without a signing secret of their own
    private final Signer deploymentSigner;
    private final TenantSigningKeys tenantKeys;
    private final Clock clock;

    @Inject
    CallbackSender(DeliveryConfig config, Vertx vertx, TenantSigningKeys tenantKeys, Clock clock) {
        this(config.callback(), config.workers(), vertx, Resolver.SYSTEM, tenantKeys, clock);
    }

    CallbackSender(DeliveryConfig.Callback callback, int workers, Vertx vertx, Resolver resolver) {
        this(callback, workers, vertx, resolver, TenantSigningKeys.of(new SigningKeyring()), Clock.systemUTC());
    }

    CallbackSender(
            DeliveryConfig.Callback callback,
            int workers,
            Vertx vertx,
            Resolver resolver,
            TenantSigningKeys tenantKeys,
            Clock clock) {
        this.config = callback;
        this.deploymentSigner =
                this.config.signingSecret().map(CallbackSignature::signer).orElse(null);
        this.tenantKeys = tenantKeys;
        this.clock = clock;
        this.guard = new OutboundGuard(
                "recur.delivery.callback.allowed-networks",
                this.config.allowedNetworks().orElse(List.of()),
                resolver);
        this.renderer = new JobObjectRenderer(this.config.publicBaseUrl(), this.config.inlineResultsLimitBytes());
        this.timeoutMillis = this.config.timeout().toMillis();
        // one connection per delivery worker to a single receiver at most; Vert.x keeps 5 per host by default
        this.http = vertx.createHttpClient(
                new HttpClientOptions()
                        .setProtocolVersion(HttpVersion.HTTP_1_1)
                        .setConnectTimeout((int) this.config.connectTimeout().toMillis())
                        .setKeepAlive(true)
                        .setVerifyHost(true)
                        // the connection goes to a checked IP address: SNI and certificate check use the URL's host
                        .setForceSni(true)
                        .setDecompressionSupported(false)
                        // a tenant's receiver is not told about the deployment's traces (docs/operations.md, Tracing)
                        .setTracingPolicy(TracingPolicy.IGNORE),
                new PoolOptions().setHttp1MaxSize(workers));
    }

    public AttemptOutcome send(DeliverableJob deliverable, String callbackUrl) {
        URI uri;
        try {
            uri = URI.create(callbackUrl);
        } catch (IllegalArgumentException e) {
            // the message quotes the URL: name the problem only
            return AttemptOutcome.refused("callback_url is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            return AttemptOutcome.refused("callback_url must be an http(s) URL with a host");
        }
        InetAddress target;
        try {
            target = guard.check(uri.getHost());
        } catch (RefusedTargetException e) {
            return AttemptOutcome.refused(e.getMessage());
        } catch (UnknownHostException e) {
            return AttemptOutcome.failed(null, "unknown host " + uri.getHost());
        }
        boolean https = scheme.equals("https");
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        byte[] body = renderer.render(deliverable);
        FinishedJob job = deliverable.job();
        List<Signer> signers;
        Instant now = clock.instant();
        try {
            signers = tenantKeys.signers(job.owner(), now, config.connectTimeout());
        } catch (IllegalStateException e) {
            // a retry signs once they are loaded: never a callback signed with the wrong key
            return AttemptOutcome.failed(null, e.getMessage());
        }
        if (signers.isEmpty() && deploymentSigner != null) {
            signers = List.of(deploymentSigner);
        }
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                // connect to the address the guard checked, not to a second resolution of the name (DNS rebinding)
                .setServer(SocketAddress.inetSocketAddress(port, target.getHostAddress()))
                .setHost(uri.getHost())
                .setPort(port)
                .setSsl(https)
                .setURI(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery())
                // redirects are not followed: a public target could otherwise bounce the request into an internal one
                .setFollowRedirects(false)
                .setIdleTimeout(timeoutMillis)
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "recur-delivery")
                .putHeader("X-Recur-Job-Id", Long.toString(job.jobId()))
                .putHeader("X-Recur-Schedule-Id", Long.toString(job.scheduleId()))
                .putHeader("X-Recur-Scheduled-For", ApiTime.format(job.scheduledFor()));
        if (!signers.isEmpty()) {
            request.putHeader(CallbackSignature.HEADER, CallbackSignature.header(now.getEpochSecond(), body, signers));
        }
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        CompletableFuture<Integer> status = http.request(request)
                .compose(r -> {
                    sent.set(r);
                    return r.send(Buffer.buffer(body));
                })
                // the body is discarded, but read to its end so that the connection goes back to the pool
                .compose(response -> response.end().map(v -> response.statusCode()))
                .toCompletionStage()
                .toCompletableFuture();
        try {
            // the idle timeout above ends a silent exchange; this bounds a receiver that trickles bytes
            int code = status.get(timeoutMillis + config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            return code >= 200 && code < 300
                    ? AttemptOutcome.delivered(code)
                    : AttemptOutcome.failed(code, "callback answered " + code);
        } catch (TimeoutException e) {
            HttpClientRequest r = sent.get();
            if (r != null) {
                r.reset();
            }
            return AttemptOutcome.failed(null, "callback timed out after " + config.timeout());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            // Vert.x fails an idle exchange with a TimeoutException, Netty a slow connect with its own exception
            return cause instanceof TimeoutException || cause instanceof ConnectTimeoutException
                    ? AttemptOutcome.failed(null, "callback timed out after " + config.timeout())
                    : AttemptOutcome.failed(null, "callback failed: " + cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AttemptOutcome.failed(null, "interrupted");
        }
    }

    @PreDestroy
    void close() {
        http.close();
    }
}
