package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class ScheduleApiQuarkusTest {

    @Inject
    TestClock clock;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    @Test
    void shouldCreateScheduleWithOxylabsFieldsWhenBodyIsValid() {
        String user = Api.newUser();
        JsonPath created = as(user).body(Api.scheduleBody())
                .post("/v1/schedules")
                .then()
                .statusCode(201)
                .contentType(ContentType.JSON)
                .extract()
                .jsonPath();
        String id = created.getString("schedule_id_str");
        assertThat(created.getLong("schedule_id")).isPositive().isEqualTo(Long.parseLong(id));
        assertThat(created.getBoolean("active")).isTrue();
        assertThat(created.getInt("items_count")).isEqualTo(1);
        assertThat(created.getString("cron")).isEqualTo("0 16 * * *");
        assertThat(created.getString("end_time")).isEqualTo(Api.END_TIME);
        assertThat(created.getString("next_run_at")).endsWith(" 16:00:00");
        assertThat(created.getString("created_at")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");

        // ids beyond 2^53 must survive as JSON numbers: compare the raw text, not a double
        String raw = as(user).get("/v1/schedules/" + id)
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(raw).contains("\"schedule_id\":" + id);
        as(user).get("/v1/schedules/" + id)
                .then()
                .body("stats.total_job_count", equalTo(0))
                .body("stats.job_create_outcomes", empty())
                .body("stats.job_result_outcomes", empty())
                .body("stats.skipped_run_count", equalTo(0));
        String list =
                as(user).get("/v1/schedules").then().statusCode(200).extract().asString();
        assertThat(list).isEqualTo("{\"schedules\":[" + id + "]}");
    }

    @Test
    void shouldCreateScheduleWhenBodyIsTooLargeToParseOnTheEventLoop() {
        String user = Api.newUser();
        // 40 items of 50 KiB: 2 MiB, far above what is parsed on the event loop, so read on a worker thread
        List<Map<String, Object>> items = java.util.stream.IntStream.range(0, 40)
                .mapToObj(i -> Map.<String, Object>of("source", "universal", "query", i + "x".repeat(50 * 1024)))
                .toList();
        JsonPath created = as(user).body(Map.of("cron", "0 16 * * *", "items", items, "end_time", Api.END_TIME))
                .post("/v1/schedules")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        assertThat(created.getInt("items_count")).isEqualTo(40);
        as(user).get("/v1/schedules/" + created.getString("schedule_id_str"))
                .then()
                .statusCode(200)
                .body("items_count", equalTo(40));

        // broken JSON of that size is the same 400 as a small one
        String broken = "{\"cron\": \"0 16 * * *\", \"pad\": \"" + "x".repeat(100 * 1024) + "\"";
        String error = as(user).body(broken)
                .post("/v1/schedules")
                .then()
                .statusCode(400)
                .extract()
                .asString();
        assertThat(error).contains("not valid JSON");
    }

    @Test
    void shouldPageAndFilterScheduleIdsWhenListing() {
        String user = Api.newUser();
        List<Long> ids = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> Api.createSchedule(user))
                .sorted()
                .toList();
        as(user).body(Map.of("active", false))
                .put("/v1/schedules/" + ids.get(1) + "/state")
                .then()
                .statusCode(202);

        assertThat(idsOf(as(user).queryParam("limit", 2).get("/v1/schedules").asString()))
                .containsExactly(ids.get(0), ids.get(1));
        assertThat(idsOf(as(user).queryParam("after", ids.get(1))
                        .get("/v1/schedules")
                        .asString()))
                .containsExactly(ids.get(2));
        assertThat(idsOf(as(user).queryParam("active", false)
                        .get("/v1/schedules")
                        .asString()))
                .containsExactly(ids.get(1));
        assertThat(idsOf(
                        as(user).queryParam("active", true).get("/v1/schedules").asString()))
                .containsExactly(ids.get(0), ids.get(2));
    }

    @Test
    void shouldClearNextRunWhenDeactivatedAndRefuseReactivationWhenPastEndTime() {
        String user = Api.newUser();
        long id = Long.parseLong(as(user).body(Map.of(
                        "cron",
                        "*/5 * * * *",
                        "items",
                        List.of(Map.of("url", "https://example.com")),
                        "end_time",
                        "2030-01-01 00:00:00"))
                .post("/v1/schedules")
                .then()
                .statusCode(201)
                .extract()
                .path("schedule_id_str"));
        as(user).body(Map.of("active", false))
                .put("/v1/schedules/" + id + "/state")
                .then()
                .statusCode(202);
        as(user).get("/v1/schedules/" + id)
                .then()
                .body("active", equalTo(false))
                .body("next_run_at", nullValue());
        as(user).body(Map.of("active", true))
                .put("/v1/schedules/" + id + "/state")
                .then()
                .statusCode(202);
        as(user).get("/v1/schedules/" + id).then().body("active", equalTo(true)).body("next_run_at", notNullValue());

        as(user).body(Map.of("active", false))
                .put("/v1/schedules/" + id + "/state")
                .then()
                .statusCode(202);
        clock.advance(Duration.ofDays(365 * 5));
        as(user).body(Map.of("active", true))
                .put("/v1/schedules/" + id + "/state")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("active"));
    }

    @Test
    void shouldReportNoNextRunWhenScheduleIsPastEndTime() {
        String user = Api.newUser();
        long id = Api.createSchedule(user);
        clock.advance(Duration.ofDays(365 * 7));
        as(user).get("/v1/schedules/" + id).then().statusCode(200).body("next_run_at", nullValue());
        // never deactivated, so still flagged active: activating it again is refused all the same
        as(user).body(Map.of("active", true))
                .put("/v1/schedules/" + id + "/state")
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("active"));
    }

    @Test
    void shouldReplaceAndDeleteScheduleWhenOwnerAsks() {
        String user = Api.newUser();
        long id = Api.createSchedule(user);
        as(user).body(Map.of(
                        "cron",
                        "@hourly",
                        "timezone",
                        "Europe/Vilnius",
                        "items",
                        List.of(Map.of("url", "https://a.example"), Map.of("url", "https://b.example")),
                        "end_time",
                        "2031-01-01 00:00:00"))
                .put("/v1/schedules/" + id)
                .then()
                .statusCode(200)
                .body("cron", equalTo("@hourly"))
                .body("items_count", equalTo(2))
                .body("timezone", equalTo("Europe/Vilnius"));
        as(user).delete("/v1/schedules/" + id).then().statusCode(204);
        as(user).get("/v1/schedules/" + id).then().statusCode(404).body("message", notNullValue());
        as(user).delete("/v1/schedules/" + id).then().statusCode(404);
    }

    @Test
    void shouldPreviewNextRunsInTimezoneWhenCronIsValid() {
        String user = Api.newUser();
        as(user).body(Map.of(
                        "cron", "0 16 * * *", "timezone", "Europe/Vilnius", "after", "2026-07-01 00:00:00", "count", 2))
                .post("/v1/schedules/preview")
                .then()
                .statusCode(200)
                .body("next_runs", equalTo(List.of("2026-07-01 13:00:00", "2026-07-02 13:00:00")));
    }

    @Test
    void shouldAnswer401WithErrorBodyWhenCredentialsAreMissingOrWrong() {
        given().get("/v1/schedules")
                .then()
                .statusCode(401)
                .contentType(ContentType.JSON)
                .header("WWW-Authenticate", notNullValue())
                .body("message", notNullValue())
                .body("errors", empty());
        given().auth()
                .preemptive()
                .basic(Api.ADMIN, "wrong")
                .get("/v1/schedules")
                .then()
                .statusCode(401)
                .body("message", notNullValue());
        given().auth()
                .preemptive()
                .basic("nobody", "whatever")
                .get("/v1/queries/1")
                .then()
                .statusCode(401);
    }

    @Test
    void shouldLetOnlyAdministratorsAddUsers() {
        String user = Api.newUser();
        as(user).body(Map.of("username", "someone-else", "password", "long-enough-password"))
                .post("/v1/admin/users")
                .then()
                .statusCode(403)
                .body("message", notNullValue());
        as(Api.ADMIN)
                .auth()
                .preemptive()
                .basic(Api.ADMIN, Api.ADMIN_PASSWORD)
                .body(Map.of("username", user, "password", "long-enough-password"))
                .post("/v1/admin/users")
                .then()
                .statusCode(409)
                .body("errors.field", hasItem("username"));
    }

    @Test
    void shouldReturn429WhenUserExceedsActiveScheduleQuota() {
        String user = Api.newUser();
        for (int i = 0; i < QUOTA; i++) {
            Api.createSchedule(user);
        }
        as(user).body(Api.scheduleBody())
                .post("/v1/schedules")
                .then()
                .statusCode(429)
                .body("message", notNullValue())
                .body("errors", not(nullValue()));
        long first = idsOf(as(user).get("/v1/schedules").asString()).get(0);
        as(user).body(Map.of("active", false))
                .put("/v1/schedules/" + first + "/state")
                .then()
                .statusCode(202);
        Api.createSchedule(user);
        as(user).body(Map.of("active", true))
                .put("/v1/schedules/" + first + "/state")
                .then()
                .statusCode(429);
    }

    /** recur.schedule-api.max-active-schedules-per-user in the test profile. */
    static final int QUOTA = 5;

    @Test
    void shouldServeOpenApiAndSwaggerUi() {
        given().get("/q/openapi").then().statusCode(200).body(org.hamcrest.Matchers.containsString("/v1/schedules"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    private static List<Long> idsOf(String json) {
        // parse as text: JsonPath would round 64-bit ids through double
        String inner = json.substring(json.indexOf('[') + 1, json.lastIndexOf(']'));
        return inner.isBlank()
                ? List.of()
                : java.util.Arrays.stream(inner.split(","))
                        .map(String::trim)
                        .map(Long::parseLong)
                        .toList();
    }
}
