package dev.recur.delivery.client;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import dev.recur.common.time.ApiTime;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.domain.AttemptOutcome;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;

/** POSTs the job object to an item's {@code callback_url}. */
@ApplicationScoped
public class CallbackSender {

    private static final String HMAC = "HmacSHA256";

    private final DeliveryConfig.Callback config;
    private final AddressGuard guard;
    private final JobObjectRenderer renderer;
    // redirects are not followed: a public target could otherwise bounce the request into an internal one
    private final HttpClient http;

    CallbackSender(DeliveryConfig config) {
        this.config = config.callback();
        this.guard = new AddressGuard(this.config.allowedNetworks().orElse(List.of()));
        this.renderer = new JobObjectRenderer(this.config.publicBaseUrl(), this.config.inlineResultsLimitBytes());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(this.config.connectTimeout())
                .build();
    }

    public AttemptOutcome send(DeliverableJob deliverable, String callbackUrl) {
        URI uri;
        try {
            uri = URI.create(callbackUrl);
        } catch (IllegalArgumentException e) {
            return AttemptOutcome.refused("callback_url is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            return AttemptOutcome.refused("callback_url must be an http(s) URL with a host");
        }
        try {
            guard.check(uri.getHost());
        } catch (AddressGuard.RefusedTargetException e) {
            return AttemptOutcome.refused(e.getMessage());
        } catch (UnknownHostException e) {
            return AttemptOutcome.failed(null, "unknown host " + uri.getHost());
        }
        byte[] body = renderer.render(deliverable);
        FinishedJob job = deliverable.job();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "recur-delivery")
                .header("X-Recur-Job-Id", Long.toString(job.jobId()))
                .header("X-Recur-Schedule-Id", Long.toString(job.scheduleId()))
                .header("X-Recur-Scheduled-For", ApiTime.format(job.scheduledFor()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.signingSecret().ifPresent(secret -> request.header("X-Recur-Signature", "sha256=" + sign(secret, body)));
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            return status >= 200 && status < 300 ? AttemptOutcome.delivered(status)
                    : AttemptOutcome.failed(status, "callback answered " + status);
        } catch (HttpTimeoutException e) {
            return AttemptOutcome.failed(null, "callback timed out after " + config.timeout());
        } catch (IOException e) {
            return AttemptOutcome.failed(null, "callback failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AttemptOutcome.failed(null, "interrupted");
        }
    }

    /** Lower-case hex HMAC-SHA256 of {@code body} with {@code secret} (UTF-8). */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
