package dev.recur.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.common.time.ApiTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hundreds of malformed and hostile requests across every endpoint of the real
 * schedule-api process. Every answer must be a 4xx with the API's error body, none a 5xx, and the service
 * must still be healthy and working afterwards.
 */
@Tag("e2e")
class HostileInputIT {

    private static final ObjectMapper JSON = RecurApi.JSON;
    private static final String FUTURE = ApiTime.format(Instant.now().plus(365, ChronoUnit.DAYS));

    private static RecurApi api;
    private static String auth;
    private static long ownScheduleId;

    record Hostile(String name, String method, String path, Map<String, String> headers, byte[] body) {}

    @BeforeAll
    static void start() throws Exception {
        api = RecurSystem.api(RecurSystem.ALICE);
        auth = api.authorization();
        RecurApi.Response created = api.send("POST", "/v1/schedules", validSchedule());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        ownScheduleId = created.json().get("schedule_id").asLong();
    }

    @Test
    void shouldAnswer4xxWithErrorBodyAndStayHealthyWhenRequestsAreMalformedOrHostile() throws Exception {
        List<Hostile> cases = cases();
        Map<Integer, Integer> byStatus = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Hostile h : cases) {
            RecurApi.Response r;
            try {
                r = api.raw(h.method(), h.path(), h.headers(), h.body());
            } catch (java.io.UncheckedIOException e) {
                failures.add(h.name() + ": connection failed: " + e.getCause());
                continue;
            }
            byStatus.merge(r.status(), 1, Integer::sum);
            if (r.status() < 400 || r.status() > 499) {
                failures.add(h.name() + ": status " + r.status() + " " + abbreviate(r.body()));
            } else if (!isErrorBody(r.body())) {
                failures.add(h.name() + ": status " + r.status() + " without the error body: " + abbreviate(r.body()));
            }
        }
        int serverErrors = byStatus.entrySet().stream()
                .filter(e -> e.getKey() >= 500)
                .mapToInt(Map.Entry::getValue)
                .sum();
        System.out.printf(
                "[hostile] %d requests; statuses %s; %d × 5xx; %d not a 4xx with the error body%n",
                cases.size(), byStatus, serverErrors, failures.size());
        failures.forEach(f -> System.out.println("[hostile]   " + f));
        assertThat(cases).hasSizeGreaterThanOrEqualTo(300);
        assertThat(failures).isEmpty();

        ServiceProcess scheduleApi = RecurSystem.get().service("schedule-api");
        assertThat(new RecurApi(scheduleApi.managementUrl(), auth)
                        .raw("GET", "/q/health/ready", Map.of(), null)
                        .status())
                .isEqualTo(200);
        assertThat(scheduleApi.isAlive()).isTrue();
        RecurApi.Response after = api.send("POST", "/v1/schedules", validSchedule());
        assertThat(after.status()).as(after.body()).isEqualTo(201);
        assertThat(api.get("/v1/schedules/" + after.json().get("schedule_id").asLong())
                        .path("active")
                        .asBoolean())
                .isTrue();
    }

    private static List<Hostile> cases() {
        List<Hostile> cases = new ArrayList<>();
        String own = "/v1/schedules/" + ownScheduleId;
        List<String> jsonEndpoints = List.of(
                "POST /v1/schedules",
                "PUT " + own,
                "PUT " + own + "/state",
                "POST /v1/schedules/preview",
                "POST /v1/admin/users");
        List<String> brokenJson = List.of(
                "",
                "{",
                "}",
                "[",
                "{\"cron\":",
                "{\"cron\" \"* * * * *\"}",
                "{'cron':'x'}",
                "{\"cron\":\"* * * * *\",}",
                "{\"a\":NaN}",
                "{\"a\":1} trailing",
                "/* c */ {}",
                "nul",
                "tru",
                "{\"a\":\"\\u12\"}",
                "{\"a\":01}",
                "\"just a string\"",
                "42",
                "[1,2,3]",
                "null");
        for (String endpoint : jsonEndpoints) {
            String[] mp = endpoint.split(" ", 2);
            for (int i = 0; i < brokenJson.size(); i++) {
                cases.add(new Hostile(
                        "broken json #" + i + " " + endpoint,
                        mp[0],
                        mp[1],
                        json(),
                        brokenJson.get(i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        // wrong types and invalid values, field by field
        Map<String, List<String>> invalid = new LinkedHashMap<>();
        invalid.put(
                "cron",
                List.of(
                        "123",
                        "true",
                        "null",
                        "[]",
                        "{}",
                        "\"\"",
                        "\"* * * *\"",
                        "\"0 0 0 * * ?\"",
                        "\"61 * * * *\"",
                        "\"0 0 30 2 *\"",
                        "\"@reboot\"",
                        "\"L * * * *\""));
        invalid.put("items", List.of("\"x\"", "5", "null", "[]", "{}", "[1]", "[null]", "[\"s\"]", "[[]]", "true"));
        invalid.put(
                "end_time",
                List.of(
                        "123",
                        "true",
                        "null",
                        "[]",
                        "\"tomorrow\"",
                        "\"2032-13-01 00:00:00\"",
                        "\"2032-02-30 00:00:00\"",
                        "\"2000-01-01 00:00:00\"",
                        "\"2032-01-01T00:00:00Z\"",
                        "\"2032-01-01\""));
        invalid.put("timezone", List.of("5", "true", "[]", "\"Mars/Olympus\"", "\"UTC+99\"", "\"\""));
        invalid.put("start_time", List.of("5", "true", "\"yesterday\"", "\"2032-02-30 00:00:00\""));
        invalid.put("catch_up", List.of("5", "true", "\"always\"", "[]"));
        invalid.put("overlap", List.of("5", "true", "\"never\"", "{}"));
        invalid.put("jitter_seconds", List.of("\"x\"", "true", "[]", "-1", "1.5", "99999999999999999999"));
        invalid.forEach((field, values) -> values.forEach(v -> cases.add(new Hostile(
                "invalid " + field + "=" + v,
                "POST",
                "/v1/schedules",
                json(),
                withField(field, v).getBytes(StandardCharsets.UTF_8)))));
        List<String> badItems = List.of(
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"callback_url\":\"ftp://example.com/x\"}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"callback_url\":\"not a url\"}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"callback_url\":\"javascript:alert(1)\"}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"callback_url\":\"http://\"}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"callback_url\":42}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"storage_type\":\"azure\",\"storage_url\":\"x\"}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"storage_type\":\"s3\",\"storage_url\":\"nope\"}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"storage_type\":\"s3\"}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"storage_type\":\"gcs\",\"storage_url\":\"\"}",
                "{\"source\":\"universal\",\"url\":\"https://example.com\",\"storage_type\":5,\"storage_url\":\"s3://b/p\"}");
        for (int i = 0; i < badItems.size(); i++) {
            cases.add(new Hostile(
                    "bad item #" + i,
                    "POST",
                    "/v1/schedules",
                    json(),
                    withField("items", "[" + badItems.get(i) + "]").getBytes(StandardCharsets.UTF_8)));
        }
        String item = "{\"source\":\"universal\",\"url\":\"https://example.com\"}";
        cases.add(new Hostile(
                "5001 items",
                "POST",
                "/v1/schedules",
                json(),
                withField("items", "[" + String.join(",", java.util.Collections.nCopies(5001, item)) + "]")
                        .getBytes(StandardCharsets.UTF_8)));
        cases.add(new Hostile(
                "item of 70 KiB",
                "POST",
                "/v1/schedules",
                json(),
                withField(
                                "items",
                                "[{\"source\":\"universal\",\"url\":\"https://example.com\",\"pad\":\""
                                        + "x".repeat(70 * 1024) + "\"}]")
                        .getBytes(StandardCharsets.UTF_8)));
        cases.add(new Hostile(
                "body of 11 MiB",
                "POST",
                "/v1/schedules",
                json(),
                ("{\"pad\":\"" + "x".repeat(11 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8)));
        // deep nesting, written as raw text (no parser of the test's own holds it): the service must refuse it
        // without recursing that deep
        String deepArrays = "[".repeat(100_000) + "]".repeat(100_000);
        String deepObjects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        for (String endpoint : jsonEndpoints) {
            String[] mp = endpoint.split(" ", 2);
            cases.add(new Hostile(
                    "arrays nested 100000 deep " + endpoint,
                    mp[0],
                    mp[1],
                    json(),
                    ("{\"cron\":\"* * * * *\",\"items\":[{\"a\":" + deepArrays + "}],\"active\":" + deepArrays + "}")
                            .getBytes(StandardCharsets.UTF_8)));
            cases.add(new Hostile(
                    "objects nested 100000 deep " + endpoint,
                    mp[0],
                    mp[1],
                    json(),
                    deepObjects.getBytes(StandardCharsets.UTF_8)));
        }
        // injection strings where strings go
        List<String> injections = List.of(
                "'; DROP TABLE schedule; --",
                "<script>alert(1)</script>",
                "{{7*7}}",
                "${jndi:ldap://127.0.0.1/x}",
                "../../etc/passwd",
                "\\u0000",
                "%00",
                "' OR '1'='1",
                "x".repeat(100_000));
        for (String field : List.of("cron", "timezone", "end_time")) {
            for (String s : injections) {
                cases.add(new Hostile(
                        "injection in " + field + ": " + abbreviate(s),
                        "POST",
                        "/v1/schedules",
                        json(),
                        withField(field, JSON.valueToTree(s).toString()).getBytes(StandardCharsets.UTF_8)));
            }
        }
        // invalid UTF-8
        List<byte[]> badUtf8 = List.of(
                new byte[] {(byte) 0xC3, (byte) 0x28},
                new byte[] {(byte) 0xFF, (byte) 0xFE},
                new byte[] {'{', '"', (byte) 0xE2, (byte) 0x82, '"', ':', '1', '}'},
                new byte[] {'{', '"', 'c', 'r', 'o', 'n', '"', ':', '"', (byte) 0xF0, (byte) 0x90, '"', '}'},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        for (String endpoint : List.of("POST /v1/schedules", "POST /v1/schedules/preview", "PUT " + own + "/state")) {
            String[] mp = endpoint.split(" ", 2);
            for (int i = 0; i < badUtf8.size(); i++) {
                cases.add(new Hostile("invalid utf-8 #" + i + " " + endpoint, mp[0], mp[1], json(), badUtf8.get(i)));
            }
        }
        // path tricks on every id endpoint
        List<String> ids = List.of(
                "abc",
                "-1",
                "0",
                "99999999999999999999",
                "1e3",
                "%20",
                "1;drop",
                "%2e%2e",
                "1%00",
                "0x10",
                "%EF%BC%91%EF%BC%92",
                "9223372036854775808",
                "1.0",
                "%27%20OR%201=1");
        List<String> idEndpoints = List.of(
                "GET /v1/schedules/%s",
                "GET /v1/schedules/%s/runs",
                "GET /v1/schedules/%s/jobs",
                "PUT /v1/schedules/%s/state",
                "DELETE /v1/schedules/%s",
                "GET /v1/queries/%s",
                "GET /v1/queries/%s/results");
        for (String endpoint : idEndpoints) {
            String[] mp = endpoint.split(" ", 2);
            for (String id : ids) {
                byte[] body = mp[0].equals("PUT") ? "{\"active\":false}".getBytes(StandardCharsets.UTF_8) : null;
                cases.add(new Hostile("id " + id + " " + endpoint, mp[0], String.format(mp[1], id), json(), body));
            }
        }
        // header abuse
        byte[] valid = validSchedule().getBytes(StandardCharsets.UTF_8);
        cases.add(new Hostile("no content type", "POST", "/v1/schedules", Map.of("Authorization", auth), valid));
        for (String type : List.of(
                "text/plain",
                "application/xml",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "image/png")) {
            cases.add(new Hostile(
                    "content type " + type,
                    "POST",
                    "/v1/schedules",
                    Map.of("Authorization", auth, "Content-Type", type),
                    valid));
        }
        for (String authorization : List.of(
                "Basic",
                "Basic !!!",
                "Bearer abc",
                "Basic " + b64("nocolon"),
                "Basic " + b64(RecurSystem.ALICE + ":wrong"),
                "Basic " + b64("nobody:" + RecurSystem.PASSWORD),
                "Basic " + b64("x".repeat(5000) + ":y"),
                "Basic " + b64(":"),
                "Digest username=\"alice\"",
                "basic " + b64("'; DROP TABLE app_user; --:x"))) {
            for (String endpoint : List.of("GET /v1/schedules", "POST /v1/schedules", "GET " + own)) {
                String[] mp = endpoint.split(" ", 2);
                cases.add(new Hostile(
                        "authorization " + abbreviate(authorization) + " " + endpoint,
                        mp[0],
                        mp[1],
                        Map.of("Authorization", authorization, "Content-Type", "application/json"),
                        mp[0].equals("POST") ? valid : null));
            }
        }
        cases.add(new Hostile("no authorization", "GET", "/v1/schedules", Map.of(), null));
        // query parameter abuse, each endpoint with the parameters it reads
        for (String query : List.of(
                "limit=-1", "limit=abc", "limit=99999999999", "after=abc", "after=-5", "active=maybe", "limit=0")) {
            cases.add(new Hostile("query " + query, "GET", "/v1/schedules?" + query, json(), null));
        }
        for (String query : List.of(
                "limit=-1",
                "limit=abc",
                "limit=99999999999",
                "limit=0",
                "page=0",
                "page=-1",
                "page=abc",
                "page=99999999999")) {
            cases.add(new Hostile("runs query " + query, "GET", own + "/runs?" + query, json(), null));
            cases.add(new Hostile("jobs query " + query, "GET", own + "/jobs?" + query, json(), null));
        }
        // unknown routes and methods
        cases.add(new Hostile("unknown route", "GET", "/v1/nothing-here", json(), null));
        cases.add(new Hostile("PATCH schedule", "PATCH", own, json(), valid));
        cases.add(new Hostile("DELETE collection", "DELETE", "/v1/schedules", json(), null));
        return cases;
    }

    private static String validSchedule() {
        return "{\"cron\":\"0 3 * * *\",\"items\":[{\"source\":\"universal\",\"url\":\"https://example.com\"}],"
                + "\"end_time\":\"" + FUTURE + "\"}";
    }

    private static String withField(String field, String rawJson) {
        try {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(validSchedule());
            node.set(field, rawJson.isEmpty() ? null : JSON.readTree(rawJson));
            return node.toString();
        } catch (Exception e) {
            // values Jackson itself cannot parse (e.g. huge numbers) go in as raw text
            return validSchedule()
                    .replaceFirst("\\}$", ",\"" + field + "\":" + rawJson + "}")
                    .replaceFirst("\"" + field + "\":[^,}]*,", "");
        }
    }

    private static Map<String, String> json() {
        return Map.of("Authorization", auth, "Content-Type", "application/json");
    }

    private static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isErrorBody(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null
                    && node.path("message").isTextual()
                    && !node.path("message").asText().isBlank()
                    && (node.path("errors").isMissingNode()
                            || node.path("errors").isArray());
        } catch (Exception e) {
            return false;
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
