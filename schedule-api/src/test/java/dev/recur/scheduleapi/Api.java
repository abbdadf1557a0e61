package dev.recur.scheduleapi;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Test helpers that use the API as a client would. */
final class Api {

    static final String ADMIN = "admin";
    static final String ADMIN_PASSWORD = "admin-password";
    static final String END_TIME = "2032-12-01 16:00:00";

    private Api() {}

    /** A new user with password {@code password-<name>}. */
    static String newUser() {
        String name = "user-" + UUID.randomUUID().toString().substring(0, 12);
        given().auth()
                .preemptive()
                .basic(ADMIN, ADMIN_PASSWORD)
                .contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", password(name)))
                .post("/v1/admin/users")
                .then()
                .statusCode(201);
        return name;
    }

    static String password(String user) {
        return "password-" + user;
    }

    static RequestSpecification as(String user) {
        return given().auth().preemptive().basic(user, password(user)).contentType(ContentType.JSON);
    }

    static Map<String, Object> scheduleBody() {
        return Map.of(
                "cron",
                "0 16 * * *",
                "items",
                List.of(Map.of("source", "amazon_product", "query", "B098FKXT8L", "parse", true)),
                "end_time",
                END_TIME);
    }

    static long createSchedule(String user) {
        return Long.parseLong(as(user).body(scheduleBody())
                .post("/v1/schedules")
                .then()
                .statusCode(201)
                .extract()
                .path("schedule_id_str"));
    }
}
