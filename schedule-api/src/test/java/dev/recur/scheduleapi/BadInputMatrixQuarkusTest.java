package dev.recur.scheduleapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.Method;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every kind of bad input on every endpoint is a 4xx with the API's error body, never a 5xx. */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class BadInputMatrixQuarkusTest {

    private static final String JSON = "application/json";
    private static final String ITEMS = "\"items\": [{\"source\": \"universal\", \"url\": \"https://example.com\"}]";
    private static final String END = "\"end_time\": \"2032-12-01 16:00:00\"";
    private static String user;
    private static long scheduleId;

    record Case(String name, Method method, String path, String contentType, String body, int status, String auth) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // create: body shape
        create(c, "broken JSON", "{\"cron\": ", 400);
        create(c, "array body", "[]", 400);
        create(c, "string body", "\"text\"", 400);
        create(c, "null body", "null", 400);
        create(c, "empty object", "{}", 400);
        create(c, "empty body", "", 400);
        // cron
        create(c, "cron missing", "{" + ITEMS + ", " + END + "}", 400);
        create(c, "cron minute out of range", body("\"61 * * * *\"", ITEMS, END), 400);
        create(c, "cron too few fields", body("\"* * *\"", ITEMS, END), 400);
        create(c, "cron as number", body("123", ITEMS, END), 400);
        create(c, "cron unknown macro", body("\"@every\"", ITEMS, END), 400);
        create(c, "cron never fires", body("\"0 0 30 2 *\"", ITEMS, END), 400);
        create(
                c,
                "cron no fire before end_time",
                body("\"0 0 29 2 *\"", ITEMS, "\"end_time\": \"2027-03-01 00:00:00\""),
                400);
        create(c, "cron empty", body("\"\"", ITEMS, END), 400);
        // items
        create(c, "items missing", "{\"cron\": \"@daily\", " + END + "}", 400);
        create(c, "items empty", body("\"@daily\"", "\"items\": []", END), 400);
        create(c, "items a string", body("\"@daily\"", "\"items\": \"x\"", END), 400);
        create(c, "items of numbers", body("\"@daily\"", "\"items\": [1]", END), 400);
        create(c, "items of arrays", body("\"@daily\"", "\"items\": [[]]", END), 400);
        create(c, "callback_url ftp", item("{\"callback_url\": \"ftp://example.com/x\"}"), 400);
        create(c, "callback_url relative", item("{\"callback_url\": \"/hook\"}"), 400);
        create(c, "callback_url not a URL", item("{\"callback_url\": \"ht tp://bad url\"}"), 400);
        create(c, "callback_url a number", item("{\"callback_url\": 5}"), 400);
        create(c, "storage_type unknown", item("{\"storage_type\": \"azure\", \"storage_url\": \"x/y\"}"), 400);
        create(c, "s3 url without scheme", item("{\"storage_type\": \"s3\", \"storage_url\": \"bucket/path\"}"), 400);
        create(c, "s3 bad bucket", item("{\"storage_type\": \"s3\", \"storage_url\": \"s3://Bad_Bucket/p\"}"), 400);
        create(c, "storage_type without url", item("{\"storage_type\": \"s3\"}"), 400);
        create(c, "storage_url without type", item("{\"storage_url\": \"s3://bucket/p\"}"), 400);
        create(c, "gcs with s3 scheme", item("{\"storage_type\": \"gcs\", \"storage_url\": \"s3://bucket/p\"}"), 400);
        create(
                c,
                "s3 the system's results bucket",
                item("{\"storage_type\": \"s3\", \"storage_url\": \"s3://recur-results/mine\"}"),
                400);
        create(
                c,
                "gcs the system's results bucket",
                item("{\"storage_type\": \"gcs\", \"storage_url\": \"recur-results/mine\"}"),
                400);
        create(
                c,
                "s3 prefix with ..",
                item("{\"storage_type\": \"s3\", \"storage_url\": \"s3://bucket/a/../b\"}"),
                400);
        create(
                c,
                "s3 prefix with an empty segment",
                item("{\"storage_type\": \"s3\", \"storage_url\": \"s3://bucket/a//b\"}"),
                400);
        create(
                c,
                "s3 prefix with a control character",
                item("{\"storage_type\": \"s3\", \"storage_url\": \"s3://bucket/a\\u0001b\"}"),
                400);
        create(c, "item above size limit", item("{\"query\": \"" + "x".repeat(70 * 1024) + "\"}"), 400);
        create(c, "too many items", body("\"@daily\"", "\"items\": [" + "{},".repeat(5000) + "{}]", END), 400);
        // end_time
        create(c, "end_time missing", "{\"cron\": \"@daily\", " + ITEMS + "}", 400);
        create(c, "end_time date only", body("\"@daily\"", ITEMS, "\"end_time\": \"2032-12-01\""), 400);
        create(c, "end_time not a real date", body("\"@daily\"", ITEMS, "\"end_time\": \"2032-02-30 00:00:00\""), 400);
        create(c, "end_time in the past", body("\"@daily\"", ITEMS, "\"end_time\": \"2020-01-01 00:00:00\""), 400);
        create(c, "end_time a number", body("\"@daily\"", ITEMS, "\"end_time\": 1700000000"), 400);
        create(c, "end_time ISO format", body("\"@daily\"", ITEMS, "\"end_time\": \"2032-12-01T16:00:00Z\""), 400);
        create(c, "end_time hour 24", body("\"@daily\"", ITEMS, "\"end_time\": \"2032-12-01 24:00:00\""), 400);
        // extensions
        create(c, "timezone unknown", ext("\"timezone\": \"Mars/Olympus\""), 400);
        create(c, "timezone an offset", ext("\"timezone\": \"+02:00\""), 400);
        create(c, "timezone a number", ext("\"timezone\": 5"), 400);
        create(c, "start_time malformed", ext("\"start_time\": \"soon\""), 400);
        create(c, "start_time after end_time", ext("\"start_time\": \"2033-01-01 00:00:00\""), 400);
        create(c, "catch_up unknown", ext("\"catch_up\": \"always\""), 400);
        create(c, "overlap unknown", ext("\"overlap\": \"queue\""), 400);
        create(c, "jitter negative", ext("\"jitter_seconds\": -1"), 400);
        create(c, "jitter a string", ext("\"jitter_seconds\": \"10\""), 400);
        create(c, "jitter fractional", ext("\"jitter_seconds\": 1.5"), 400);
        create(c, "jitter too large", ext("\"jitter_seconds\": 86400"), 400);
        // transport
        c.add(new Case("create text/plain", Method.POST, "/v1/schedules", "text/plain", "hello", 415, "user"));
        c.add(new Case("create xml", Method.POST, "/v1/schedules", "application/xml", "<a/>", 415, "user"));
        c.add(new Case(
                "create above body limit",
                Method.POST,
                "/v1/schedules",
                JSON,
                "{\"pad\": \"" + "x".repeat(11 * 1024 * 1024) + "\"}",
                413,
                "user"));
        c.add(new Case(
                "create multipart",
                Method.POST,
                "/v1/schedules",
                "multipart/form-data; boundary=x",
                "--x--",
                415,
                "user"));
        c.add(new Case(
                "create malformed content type", Method.POST, "/v1/schedules", "application/", "{}", 415, "user"));
        c.add(new Case(
                "create nested 2000 deep",
                Method.POST,
                "/v1/schedules",
                JSON,
                body("\"@daily\"", "\"items\": [{\"a\": " + "[".repeat(2_000) + "]".repeat(2_000) + "}]", END),
                400,
                "user"));
        c.add(new Case(
                "create without credentials",
                Method.POST,
                "/v1/schedules",
                JSON,
                body("\"@daily\"", ITEMS, END),
                401,
                "none"));
        c.add(new Case(
                "create with wrong password",
                Method.POST,
                "/v1/schedules",
                JSON,
                body("\"@daily\"", ITEMS, END),
                401,
                "wrong"));
        c.add(new Case("unsupported method", Method.PATCH, "/v1/schedules", JSON, "{}", 405, "user"));
        c.add(new Case("unknown path", Method.GET, "/v1/nothing", null, null, 404, "user"));
        // schedule ids in paths
        for (String bad : List.of("abc", "-1", "0", "99999999999999999999", "1.5", "1e3", "0x10", "%20", "1%00")) {
            c.add(new Case("GET schedule id " + bad, Method.GET, "/v1/schedules/" + bad, null, null, 400, "user"));
        }
        c.add(new Case("GET unknown schedule", Method.GET, "/v1/schedules/12345", null, null, 404, "user"));
        c.add(new Case(
                "PUT state bad id", Method.PUT, "/v1/schedules/abc/state", JSON, "{\"active\": false}", 400, "user"));
        c.add(new Case(
                "PUT state unknown id",
                Method.PUT,
                "/v1/schedules/12345/state",
                JSON,
                "{\"active\": false}",
                404,
                "user"));
        c.add(new Case("PUT state empty object", Method.PUT, "/v1/schedules/{id}/state", JSON, "{}", 400, "user"));
        c.add(new Case(
                "PUT state string active",
                Method.PUT,
                "/v1/schedules/{id}/state",
                JSON,
                "{\"active\": \"yes\"}",
                400,
                "user"));
        c.add(new Case(
                "PUT state null active",
                Method.PUT,
                "/v1/schedules/{id}/state",
                JSON,
                "{\"active\": null}",
                400,
                "user"));
        c.add(new Case(
                "PUT state broken JSON",
                Method.PUT,
                "/v1/schedules/{id}/state",
                JSON,
                "{\"active\": fal",
                400,
                "user"));
        c.add(new Case(
                "PUT state text/plain", Method.PUT, "/v1/schedules/{id}/state", "text/plain", "false", 415, "user"));
        c.add(new Case(
                "PUT replace bad cron",
                Method.PUT,
                "/v1/schedules/{id}",
                JSON,
                body("\"x\"", ITEMS, END),
                400,
                "user"));
        c.add(new Case(
                "PUT replace missing items",
                Method.PUT,
                "/v1/schedules/{id}",
                JSON,
                "{\"cron\": \"@daily\", " + END + "}",
                400,
                "user"));
        c.add(new Case("PUT replace text/plain", Method.PUT, "/v1/schedules/{id}", "text/plain", "x", 415, "user"));
        c.add(new Case(
                "PUT replace overflow id",
                Method.PUT,
                "/v1/schedules/9223372036854775808",
                JSON,
                body("\"@daily\"", ITEMS, END),
                400,
                "user"));
        c.add(new Case("DELETE bad id", Method.DELETE, "/v1/schedules/abc", null, null, 400, "user"));
        c.add(new Case("DELETE unknown id", Method.DELETE, "/v1/schedules/1", null, null, 404, "user"));
        // paging
        c.add(new Case("runs limit 0", Method.GET, "/v1/schedules/{id}/runs?limit=0", null, null, 400, "user"));
        c.add(new Case("runs limit text", Method.GET, "/v1/schedules/{id}/runs?limit=abc", null, null, 400, "user"));
        c.add(new Case("runs page 0", Method.GET, "/v1/schedules/{id}/runs?page=0", null, null, 400, "user"));
        c.add(new Case("runs bad id", Method.GET, "/v1/schedules/x/runs", null, null, 400, "user"));
        c.add(new Case("runs unknown id", Method.GET, "/v1/schedules/12345/runs", null, null, 404, "user"));
        c.add(new Case("jobs limit huge", Method.GET, "/v1/schedules/{id}/jobs?limit=100000", null, null, 400, "user"));
        c.add(new Case("jobs page negative", Method.GET, "/v1/schedules/{id}/jobs?page=-3", null, null, 400, "user"));
        c.add(new Case("jobs unknown id", Method.GET, "/v1/schedules/12345/jobs", null, null, 404, "user"));
        c.add(new Case("list limit 0", Method.GET, "/v1/schedules?limit=0", null, null, 400, "user"));
        c.add(new Case("list after text", Method.GET, "/v1/schedules?after=abc", null, null, 400, "user"));
        c.add(new Case("list active maybe", Method.GET, "/v1/schedules?active=maybe", null, null, 400, "user"));
        // queries
        c.add(new Case("query bad id", Method.GET, "/v1/queries/abc", null, null, 400, "user"));
        c.add(new Case("query negative id", Method.GET, "/v1/queries/-5", null, null, 400, "user"));
        c.add(new Case("query unknown id", Method.GET, "/v1/queries/123", null, null, 404, "user"));
        c.add(new Case("results bad id", Method.GET, "/v1/queries/abc/results", null, null, 400, "user"));
        c.add(new Case("results unknown id", Method.GET, "/v1/queries/123/results", null, null, 404, "user"));
        c.add(new Case("query without credentials", Method.GET, "/v1/queries/123", null, null, 401, "none"));
        // preview
        preview(c, "empty", "{}");
        preview(c, "bad cron", "{\"cron\": \"99 * * * *\"}");
        preview(c, "count 0", "{\"cron\": \"@daily\", \"count\": 0}");
        preview(c, "count huge", "{\"cron\": \"@daily\", \"count\": 1000}");
        preview(c, "bad after", "{\"cron\": \"@daily\", \"after\": \"x\"}");
        preview(c, "bad timezone", "{\"cron\": \"@daily\", \"timezone\": \"Nowhere\"}");
        c.add(new Case(
                "preview text/plain", Method.POST, "/v1/schedules/preview", "text/plain", "@daily", 415, "user"));
        // administration
        c.add(new Case(
                "add user as non-admin",
                Method.POST,
                "/v1/admin/users",
                JSON,
                "{\"username\": \"x\", \"password\": \"long-enough\"}",
                403,
                "user"));
        c.add(new Case(
                "add user short password",
                Method.POST,
                "/v1/admin/users",
                JSON,
                "{\"username\": \"x\", \"password\": \"short\"}",
                400,
                "admin"));
        c.add(new Case(
                "add user bad name",
                Method.POST,
                "/v1/admin/users",
                JSON,
                "{\"username\": \"a b\", \"password\": \"long-enough\"}",
                400,
                "admin"));
        c.add(new Case("add user broken JSON", Method.POST, "/v1/admin/users", JSON, "{", 400, "admin"));
        return c.stream();
    }

    /** One dynamic test per case: a table of cases, each reported under its own name. */
    @TestFactory
    Stream<DynamicTest> shouldAnswer4xxWithErrorBodyWhenInputIsBad() {
        return cases().map(bad -> DynamicTest.dynamicTest(bad.name(), () -> check(bad)));
    }

    private static void check(Case bad) {
        RequestSpecification request = given();
        switch (bad.auth()) {
            case "user" -> request.auth().preemptive().basic(user(), Api.password(user()));
            case "admin" -> request.auth().preemptive().basic(Api.ADMIN, Api.ADMIN_PASSWORD);
            case "wrong" -> request.auth().preemptive().basic(user(), "not-the-password");
            default -> {}
        }
        if (bad.contentType() != null) {
            request.contentType(bad.contentType());
        }
        if (bad.body() != null) {
            request.body(bad.body().getBytes(StandardCharsets.UTF_8));
        }
        Response response = request.request(bad.method(), bad.path().replace("{id}", Long.toString(scheduleId())));

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(bad.status());
        assertThat(response.contentType()).startsWith("application/json");
        JsonPath body = response.jsonPath();
        assertThat(body.getString("message")).isNotBlank();
        assertThat(body.getList("errors")).isNotNull();
        assertThat(response.asString()).doesNotContain("Exception").doesNotContain("\tat ");
        if (bad.status() == 400 && bad.name().startsWith("create: cron ")) {
            assertThat(body.getList("errors")).as("field-level errors").isNotEmpty();
        }
    }

    /** Raw bytes and absent headers, which RestAssured would fill in. */
    @Test
    void shouldAnswer4xxWithErrorBodyWhenBodyIsNotUtf8OrHasNoContentType() throws Exception {
        String auth = "Basic "
                + Base64.getEncoder()
                        .encodeToString((user() + ":" + Api.password(user())).getBytes(StandardCharsets.UTF_8));
        URI create = URI.create("http://localhost:"
                + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class) + "/v1/schedules");
        byte[] validJson = body("\"@daily\"", ITEMS, END).getBytes(StandardCharsets.UTF_8);
        byte[] badUtf8 = {'{', '"', 'c', 'r', 'o', 'n', '"', ':', '"', (byte) 0xF0, (byte) 0x90, '"', '}'};
        HttpClient client = HttpClient.newHttpClient();

        HttpResponse<String> noType = client.send(
                HttpRequest.newBuilder(create)
                        .header("Authorization", auth)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(validJson))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> notUtf8 = client.send(
                HttpRequest.newBuilder(create)
                        .header("Authorization", auth)
                        .header("Content-Type", JSON)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(badUtf8))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(noType.statusCode()).as(noType.body()).isEqualTo(415);
        assertThat(notUtf8.statusCode()).as(notUtf8.body()).isEqualTo(400);
        for (HttpResponse<String> response : List.of(noType, notUtf8)) {
            JsonPath body = JsonPath.from(response.body());
            assertThat(body.getString("message")).isNotBlank();
            assertThat(body.getList("errors")).isNotNull();
        }
    }

    private static synchronized String user() {
        if (user == null) {
            user = Api.newUser();
        }
        return user;
    }

    private static synchronized long scheduleId() {
        if (scheduleId == 0) {
            scheduleId = Api.createSchedule(user());
        }
        return scheduleId;
    }

    private static void create(List<Case> cases, String name, String body, int status) {
        cases.add(new Case("create: " + name, Method.POST, "/v1/schedules", JSON, body, status, "user"));
    }

    /** An invalid preview request, a 400 naming the field. */
    private static void preview(List<Case> cases, String name, String body) {
        cases.add(new Case("preview " + name, Method.POST, "/v1/schedules/preview", JSON, body, 400, "user"));
    }

    private static String body(String cron, String items, String end) {
        return "{\"cron\": " + cron + ", " + items + ", " + end + "}";
    }

    private static String item(String item) {
        return body("\"@daily\"", "\"items\": [" + item + "]", END);
    }

    private static String ext(String field) {
        return "{\"cron\": \"@daily\", " + ITEMS + ", " + END + ", " + field + "}";
    }
}
