package dev.recur.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import dev.recur.testinfra.Infra;

/**
 * The whole system for the end-to-end tests: one {@link LocalRecur} per test JVM (real Kafka, PostgreSQL, S3,
 * the four services as processes), with test users. Extra service properties come from the first caller.
 */
final class RecurSystem {

    static final String ALICE = "alice";
    static final String BOB = "bob";
    static final String PASSWORD = "correct-horse-battery";

    private static LocalRecur recur;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RecurSystem() {
    }

    static synchronized LocalRecur get(Map<String, String> extraProperties) {
        if (recur == null) {
            Path data = Path.of("target/system-data").toAbsolutePath();
            Infra.deleteRecursively(data);
            Map<String, String> props = new HashMap<>(extraProperties);
            LocalRecur started = new LocalRecur(LocalRecur.Options.forTests(Repo.dir(), data, props));
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "recur-system-stop"));
            long start = System.nanoTime();
            started.start();
            System.out.printf("[system] Recur started in %.1f s%n", (System.nanoTime() - start) / 1e9);
            recur = started;
            addUser(ALICE);
            addUser(BOB);
        }
        return recur;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void addUser(String name) {
        String body = "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(recur.apiBaseUrl() + "/v1/admin/users"))
                .header("Authorization", basic(LocalRecur.ADMIN_USER, recur.adminPassword()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("cannot add user " + name + ": " + response.statusCode() + " " + response.body());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
