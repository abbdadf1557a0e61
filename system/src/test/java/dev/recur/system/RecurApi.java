package dev.recur.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Recur's REST API as one user sees it, from outside: plain HTTP, nothing of the services' code. */
final class RecurApi {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String baseUrl;
    private final String authorization;

    RecurApi(String baseUrl, String authorization) {
        this.baseUrl = baseUrl;
        this.authorization = authorization;
    }

    record Response(int status, String body, Map<String, String> headers) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
        }
    }

    String authorization() {
        return authorization;
    }

    /** With this user's credentials, and {@code Content-Type: application/json} when there is a body. */
    Response send(String method, String path, String jsonBody) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", authorization);
        if (jsonBody != null) {
            headers.put("Content-Type", "application/json");
        }
        return raw(method, path, headers, jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8));
    }

    JsonNode get(String path) {
        Response r = send("GET", path, null);
        if (r.status() != 200) {
            throw new AssertionError("GET " + path + ": " + r);
        }
        return r.json();
    }

    /** Exactly these headers (none added) and bytes. */
    Response raw(String method, String path, Map<String, String> headers, byte[] body) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
        headers.forEach(b::header);
        b.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            Map<String, String> responseHeaders = new LinkedHashMap<>();
            r.headers()
                    .map()
                    .forEach((k, v) -> responseHeaders.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
            return new Response(r.statusCode(), r.body(), responseHeaders);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
