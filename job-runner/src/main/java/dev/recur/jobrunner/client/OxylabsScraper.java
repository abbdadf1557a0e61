package dev.recur.jobrunner.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.ResultPage;
import dev.recur.common.json.EventJson;
import dev.recur.jobrunner.config.JobRunnerConfig;

/** The Oxylabs-compatible realtime API: {@code POST {base}/v1/queries} with the item as body, answered with the pages. */
public final class OxylabsScraper implements ScraperBackend {

    private static final int MAX_REASON_CHARS = 500;

    private final HttpClient http;
    private final URI queriesUri;
    private final Optional<String> authorization;
    private final JobRunnerConfig.Oxylabs config;
    private final Clock clock;
    /** Jackson refuses strings over 20 MB by default; a scraped page may be larger and goes to the claim check. */
    private final ObjectMapper mapper = largeStrings(EventJson.mapper().copy());

    public OxylabsScraper(URI baseUrl, JobRunnerConfig.Oxylabs config, Clock clock) {
        this.config = config;
        this.clock = clock;
        String base = baseUrl.toString();
        this.queriesUri =
                URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/queries");
        this.authorization = config.username()
                .map(user -> "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        (user + ":" + config.password().orElse("")).getBytes(StandardCharsets.UTF_8)));
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public String name() {
        return JobRunnerConfig.OXYLABS;
    }

    /** The JDK client's own threads carry the call and the parsing of the answer; no thread of ours waits. */
    @Override
    public CompletionStage<ScrapeOutcome> scrape(ObjectNode item) {
        HttpRequest.Builder request = HttpRequest.newBuilder(queriesUri)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(EventJson.write(withoutRecurKeys(item))));
        authorization.ifPresent(value -> request.header("Authorization", value));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> error == null ? answered(response) : failed(error));
    }

    /**
     * The item without Recur's own delivery keys: a third party has no business with the receiver's URL (its tokens
     * included) or the tenant's bucket, and a scraper that knows {@code callback_url} would call it itself.
     */
    static ObjectNode withoutRecurKeys(ObjectNode item) {
        if (!item.has("callback_url") && !item.has("storage_type") && !item.has("storage_url")) {
            return item;
        }
        ObjectNode sent = item.deepCopy();
        sent.remove(List.of("callback_url", "storage_type", "storage_url"));
        return sent;
    }

    private ScrapeOutcome failed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpTimeoutException) {
            return ScrapeOutcome.Failure.transientFailure(0, "scraper did not answer within " + config.timeout());
        }
        return ScrapeOutcome.Failure.transientFailure(0, "cannot reach scraper: " + cause);
    }

    private ScrapeOutcome answered(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return parse(status, response.body());
        }
        String reason = "scraper answered " + status + errorDetail(response.body());
        if (ScrapeOutcome.isRetryableStatus(status)) {
            return new ScrapeOutcome.Failure(
                    status,
                    reason,
                    true,
                    RetryAfter.parse(response.headers().firstValue("Retry-After"), clock.instant()));
        }
        return ScrapeOutcome.Failure.permanent(status, reason);
    }

    private ScrapeOutcome parse(int status, byte[] body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (IOException e) {
            return ScrapeOutcome.Failure.permanent(
                    status, "malformed scraper response: not JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.path("results").isArray()) {
            return ScrapeOutcome.Failure.permanent(status, "malformed scraper response: no results array");
        }
        List<ResultPage> pages = new ArrayList<>();
        for (JsonNode page : root.path("results")) {
            if (!page.isObject()) {
                return ScrapeOutcome.Failure.permanent(status, "malformed scraper response: a result is not an object");
            }
            pages.add(new ResultPage(
                    page.get("content"),
                    page.path("status_code").asInt(0),
                    text(page, "url"),
                    page.path("page").asInt(pages.size() + 1),
                    time(page, "created_at"),
                    time(page, "updated_at"),
                    text(page, "parser_type"),
                    text(page, "job_id")));
        }
        return new ScrapeOutcome.Success(status, pages);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** Oxylabs writes {@code 2024-02-19 12:12:37} (UTC, sometimes with fractions); ISO-8601 is accepted too. */
    private static Instant time(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null || value.isBlank()) {
            return null;
        }
        String iso = value.trim().replace(' ', 'T');
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException notInstant) {
            try {
                return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException unknown) {
                return null;
            }
        }
    }

    static ObjectMapper largeStrings(ObjectMapper mapper) {
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE)
                        .build());
        return mapper;
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }

    /** The {@code message}/{@code errors} of an Oxylabs error body, or its first characters if it has neither. */
    private String errorDetail(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String detail;
        try {
            JsonNode root = mapper.readTree(body);
            List<String> parts = new ArrayList<>();
            if (root != null && root.hasNonNull("message")) {
                parts.add(root.get("message").asText());
            }
            if (root != null && root.hasNonNull("errors")) {
                parts.add(root.get("errors").toString());
            }
            detail = parts.isEmpty() ? new String(body, StandardCharsets.UTF_8) : String.join(" ", parts);
        } catch (IOException notJson) {
            detail = new String(body, StandardCharsets.UTF_8);
        }
        return ": " + (detail.length() > MAX_REASON_CHARS ? detail.substring(0, MAX_REASON_CHARS) + "…" : detail);
    }
}
