package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.recur.common.event.Topics;
import dev.recur.scheduleapi.service.UserService;
import dev.recur.testinfra.Infra;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * User administration (issue 25, items 1-3 as far as one instance shows them): admin-only listing, disabling,
 * deleting and password changes with the API's error body; ownership by user id, so that a re-created username
 * inherits nothing; credentials that stop working with the next request, cached or not; failed logins throttled with
 * 429 and Retry-After; the bootstrap administrator's password rotated from configuration.
 */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class UserAdministrationQuarkusTest {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    TestClock clock;

    /** Prometheus metrics, on the management port. */
    @io.quarkus.test.common.http.TestHTTPResource(value = "metrics", management = true)
    java.net.URL metricsUrl;

    @Inject
    UserService users;

    @AfterEach
    void resetClock() {
        clock.reset();
    }

    private static io.restassured.specification.RequestSpecification admin() {
        return given().auth().preemptive().basic(Api.ADMIN, Api.ADMIN_PASSWORD).contentType(ContentType.JSON);
    }

    private static long idOf(String user) {
        return as(user).get("/v1/users/me")
                .then()
                .statusCode(200)
                .body("username", equalTo(user))
                .extract()
                .jsonPath()
                .getLong("id");
    }

    @Test
    void shouldListAndGetUsersOnlyForAdministrators() {
        String alice = Api.newUser();
        String bob = Api.newUser();
        long aliceId = idOf(alice);
        long bobId = idOf(bob);
        admin().get("/v1/admin/users/" + aliceId)
                .then()
                .statusCode(200)
                .body("username", equalTo(alice))
                .body("admin", equalTo(false))
                .body("enabled", equalTo(true))
                .body("active_schedules", equalTo(0))
                .body("created_at", notNullValue())
                .body("password_hash", org.hamcrest.Matchers.nullValue());
        List<Integer> page = admin().queryParam("after", aliceId - 1)
                .queryParam("limit", 2)
                .get("/v1/admin/users")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("users.id");
        assertThat(page).containsExactly((int) aliceId, (int) bobId);
        as(alice)
                .get("/v1/admin/users")
                .then()
                .statusCode(403)
                .body("message", containsString("administrators"))
                .body("errors", notNullValue());
        as(alice).get("/v1/admin/users/" + bobId).then().statusCode(403);
        admin().get("/v1/admin/users/999999999")
                .then()
                .statusCode(404)
                .body("message", equalTo("user 999999999 not found"));
        admin().get("/v1/admin/users/x").then().statusCode(400).body("errors[0].field", equalTo("user_id"));
        admin().queryParam("limit", 0)
                .get("/v1/admin/users")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("limit"));
    }

    @Test
    void shouldDescribeUserAdministrationInTheOpenApiDocument() {
        given().get("/q/openapi")
                .then()
                .statusCode(200)
                .body(containsString("/v1/admin/users/{id}/password"))
                .body(containsString("/v1/admin/users/{id}/state"))
                .body(containsString("/v1/users/me"));
    }

    @Test
    void shouldRefuseADisabledUserAtOnceAndAcceptItAgainWhenEnabled() {
        String user = Api.newUser();
        long id = idOf(user);
        long schedule = Api.createSchedule(user);
        // cached now, on the event loop (GET one schedule) and on a worker (the list)
        as(user).get("/v1/schedules/" + schedule).then().statusCode(200);
        as(user).get("/v1/schedules").then().statusCode(200);

        admin().body(Map.of("enabled", false))
                .put("/v1/admin/users/" + id + "/state")
                .then()
                .statusCode(200)
                .body("enabled", equalTo(false));
        as(user).get("/v1/schedules/" + schedule).then().statusCode(401);
        as(user).get("/v1/schedules").then().statusCode(401);

        admin().body(Map.of("enabled", true))
                .put("/v1/admin/users/" + id + "/state")
                .then()
                .statusCode(200);
        as(user).get("/v1/schedules/" + schedule).then().statusCode(200);
        admin().body(Map.of("enabled", "no"))
                .put("/v1/admin/users/" + id + "/state")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("enabled"));
        long adminId = admin().get("/v1/users/me").then().extract().jsonPath().getLong("id");
        admin().body(Map.of("enabled", false))
                .put("/v1/admin/users/" + adminId + "/state")
                .then()
                .statusCode(409);
        admin().delete("/v1/admin/users/" + adminId).then().statusCode(409);
    }

    @Test
    void shouldEndTheOldPasswordAtOnceWhenChangedByAnAdministratorOrTheUser() {
        String user = Api.newUser();
        String other = Api.newUser();
        long id = idOf(user);
        long schedule = Api.createSchedule(user);
        as(user).get("/v1/schedules/" + schedule).then().statusCode(200);

        admin().body(Map.of("password", "first-new-password"))
                .put("/v1/admin/users/" + id + "/password")
                .then()
                .statusCode(204);
        as(user).get("/v1/schedules/" + schedule).then().statusCode(401);
        given().auth()
                .preemptive()
                .basic(user, "first-new-password")
                .get("/v1/schedules/" + schedule)
                .then()
                .statusCode(200);

        // a user changes its own password, not another's
        given().auth()
                .preemptive()
                .basic(user, "first-new-password")
                .contentType(ContentType.JSON)
                .body(Map.of("password", "second-new-password"))
                .put("/v1/admin/users/" + id + "/password")
                .then()
                .statusCode(204);
        given().auth()
                .preemptive()
                .basic(user, "first-new-password")
                .get("/v1/schedules")
                .then()
                .statusCode(401);
        given().auth()
                .preemptive()
                .basic(user, "second-new-password")
                .get("/v1/schedules")
                .then()
                .statusCode(200);
        as(other)
                .body(Map.of("password", "taken-over-password"))
                .put("/v1/admin/users/" + id + "/password")
                .then()
                .statusCode(403)
                .body("message", containsString("another user's password"));
        admin().body(Map.of("password", "short"))
                .put("/v1/admin/users/" + id + "/password")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("password"));
    }

    @Test
    void shouldPauseThenDeleteTheSchedulesOfADeletedUserThroughTheOutbox() throws Exception {
        String user = Api.newUser();
        long id = idOf(user);
        long active = Api.createSchedule(user);
        long paused = Api.createSchedule(user);
        as(user).body(Map.of("active", false))
                .put("/v1/schedules/" + paused + "/state")
                .then()
                .statusCode(202);
        as(user).get("/v1/schedules/" + active).then().statusCode(200);

        try (KafkaConsumer<String, byte[]> consumer = OutboxKafkaDownQuarkusTest.consumerAtEnd(Infra.kafka())) {
            admin().delete("/v1/admin/users/" + id).then().statusCode(204);
            as(user).get("/v1/schedules/" + active).then().statusCode(401);
            admin().get("/v1/admin/users/" + id).then().statusCode(404);
            admin().delete("/v1/admin/users/" + id).then().statusCode(404);

            List<String> ofActive = new ArrayList<>();
            List<String> ofPaused = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String what = r.value() == null
                            ? "tombstone"
                            : "active=" + OutboxKafkaDownQuarkusTest.snapshot(r).active();
                    if (r.key().equals(Topics.key(active))) {
                        ofActive.add(what);
                    } else if (r.key().equals(Topics.key(paused))) {
                        ofPaused.add(what);
                    }
                }
                assertThat(ofActive).containsExactly("active=false", "tombstone");
                assertThat(ofPaused).containsExactly("tombstone");
            });
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement count = c.prepareStatement("SELECT count(*) FROM schedule WHERE owner_id = ?")) {
            count.setLong(1, id);
            var rs = count.executeQuery();
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    void shouldGiveARecreatedUsernameNothingOfTheDeletedUser() throws Exception {
        String name = Api.newUser();
        long oldId = idOf(name);
        long schedule = Api.createSchedule(name);
        long jobId = 4242_0000L + (oldId % 10_000);
        // a job of the deleted user's schedule in the history, which outlives the schedule
        try (Connection c = dataSource.getConnection();
                PreparedStatement insert = c.prepareStatement("""
                INSERT INTO job_history (job_id, run_id, schedule_id, owner, owner_id, scheduled_for, item_index,
                                         created_at)
                VALUES (?, 1, ?, ?, ?, now(), 0, now())""")) {
            insert.setLong(1, jobId);
            insert.setLong(2, schedule);
            insert.setString(3, name);
            insert.setLong(4, oldId);
            insert.executeUpdate();
        }
        as(name).get("/v1/queries/" + jobId).then().statusCode(200);
        as(name).body("{}").post("/v1/signing-secret").then().statusCode(201);
        admin().delete("/v1/admin/users/" + oldId).then().statusCode(204);

        admin().body(Map.of("username", name, "password", Api.password(name)))
                .post("/v1/admin/users")
                .then()
                .statusCode(201)
                .body("username", equalTo(name));
        long newId = idOf(name);
        assertThat(newId).isNotEqualTo(oldId);
        as(name).get("/v1/schedules/" + schedule).then().statusCode(404);
        as(name).get("/v1/schedules").then().statusCode(200).body("schedules", org.hamcrest.Matchers.empty());
        as(name).get("/v1/schedules/" + schedule + "/runs").then().statusCode(404);
        as(name).get("/v1/queries/" + jobId).then().statusCode(404);
        as(name).get("/v1/signing-secret").then().statusCode(404);
    }

    @Test
    void shouldThrottleAUsernameWithGrowingWaitsAfterFiveFailedLogins() {
        String user = Api.newUser();
        for (int i = 0; i < 5; i++) {
            given().auth()
                    .preemptive()
                    .basic(user, "wrong-" + i)
                    .get("/v1/schedules")
                    .then()
                    .statusCode(401);
        }
        // the sixth failure starts a wait of 1 s; within it even the right password is not checked
        given().auth()
                .preemptive()
                .basic(user, "wrong-5")
                .get("/v1/schedules")
                .then()
                .statusCode(401);
        as(user).get("/v1/schedules")
                .then()
                .statusCode(429)
                .header("Retry-After", "1")
                .body("message", containsString("too many failed logins"));
        clock.advance(Duration.ofMillis(1100));
        given().auth()
                .preemptive()
                .basic(user, "wrong-6")
                .get("/v1/schedules")
                .then()
                .statusCode(401);
        as(user).get("/v1/schedules").then().statusCode(429).header("Retry-After", "2");
        clock.advance(Duration.ofMillis(2100));
        // a success forgets the username's failures
        as(user).get("/v1/schedules").then().statusCode(200);
        given().auth()
                .preemptive()
                .basic(user, "wrong-again")
                .get("/v1/schedules")
                .then()
                .statusCode(401);
        given().get(metricsUrl)
                .then()
                .statusCode(200)
                .body(containsString("recur_login_throttled_total{scope=\"user\"}"))
                .body(containsString("recur_login_failures_total{reason=\"wrong_password\"}"));
    }

    @Test
    void shouldThrottleUnknownUsernamesLikeKnownOnes() {
        String nobody = "nobody-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 6; i++) {
            given().auth()
                    .preemptive()
                    .basic(nobody, "guess-" + i)
                    .get("/v1/schedules")
                    .then()
                    .statusCode(401);
        }
        given().auth()
                .preemptive()
                .basic(nobody, "guess-6")
                .get("/v1/schedules")
                .then()
                .statusCode(429)
                .header("Retry-After", "1");
    }

    @Test
    void shouldRotateTheBootstrapAdministratorsPasswordFromConfiguration() {
        String name = "rotating-admin-" + UUID.randomUUID().toString().substring(0, 8);
        users.bootstrapAdmin(name, "first-configured-password");
        given().auth()
                .preemptive()
                .basic(name, "first-configured-password")
                .get("/v1/admin/users")
                .then()
                .statusCode(200);
        users.bootstrapAdmin(name, "first-configured-password");
        given().auth()
                .preemptive()
                .basic(name, "first-configured-password")
                .get("/v1/admin/users")
                .then()
                .statusCode(200);
        users.bootstrapAdmin(name, "second-configured-password");
        given().auth()
                .preemptive()
                .basic(name, "first-configured-password")
                .get("/v1/admin/users")
                .then()
                .statusCode(401);
        given().auth()
                .preemptive()
                .basic(name, "second-configured-password")
                .get("/v1/admin/users")
                .then()
                .statusCode(200);
    }
}
