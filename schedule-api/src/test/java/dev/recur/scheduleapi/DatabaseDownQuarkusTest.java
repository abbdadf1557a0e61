package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import dev.recur.testinfra.Infra;
import dev.recur.testinfra.PostgresServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** A database outage is a quick 503 with the error body, and the API serves again once the database is back. */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class DatabaseDownQuarkusTest {

    // the pool gives up on a connection after 2 s (application.properties); the rest is this busy machine
    private static final Duration QUICK = Duration.ofSeconds(10);

    @Test
    void shouldAnswer503QuicklyAndRecoverWhenDatabaseIsDown() {
        String user = Api.newUser();
        // also caches the credentials, which are then checked without the database
        long id = Api.createSchedule(user);
        List<Supplier<Response>> requests = List.of(
                () -> as(user).get("/v1/schedules/" + id),
                () -> as(user).body(Api.scheduleBody()).post("/v1/schedules"),
                () -> as(user).get("/v1/schedules"),
                () -> as(user).get("/v1/schedules/" + id + "/jobs"));
        PostgresServer postgres = Infra.postgres();
        postgres.stop();
        try {
            for (Supplier<Response> request : requests) {
                long start = System.nanoTime();
                request.get().then().statusCode(503).body("message", containsString("database"));
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(QUICK);
            }
        } finally {
            postgres.start();
        }

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> as(user).get("/v1/schedules/" + id).then().statusCode(200));
        // every pooled connection serves again, not just the one that answered first
        for (int i = 0; i < 25; i++) {
            as(user).get("/v1/schedules/" + id).then().statusCode(200);
            as(user).get("/v1/schedules").then().statusCode(200);
            as(user).get("/v1/schedules/" + id + "/jobs").then().statusCode(200);
        }
        as(user).body(Api.scheduleBody()).post("/v1/schedules").then().statusCode(201);
    }
}
