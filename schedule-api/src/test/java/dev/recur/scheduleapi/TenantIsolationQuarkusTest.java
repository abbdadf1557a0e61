package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/** Another user's schedule answers exactly as an unknown one, on every endpoint. */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class TenantIsolationQuarkusTest {

    @Test
    void shouldAnswerAsForUnknownIdWhenScheduleBelongsToAnotherUser() {
        String alice = Api.newUser();
        String bob = Api.newUser();
        long id = Api.createSchedule(alice);
        long unknown = id == Long.MAX_VALUE ? id - 1 : id + 1;

        for (long probe : new long[] {id, unknown}) {
            String path = "/v1/schedules/" + probe;
            assertNotFound(as(bob).get(path));
            assertNotFound(as(bob).body(Api.scheduleBody()).put(path));
            assertNotFound(as(bob).body(Map.of("active", false)).put(path + "/state"));
            assertNotFound(as(bob).get(path + "/runs"));
            assertNotFound(as(bob).get(path + "/jobs"));
            assertNotFound(as(bob).delete(path));
        }
        String bobsList =
                as(bob).get("/v1/schedules").then().statusCode(200).extract().asString();
        assertThat(bobsList).isEqualTo("{\"schedules\":[]}");

        // untouched by bob's attempts
        as(alice)
                .get("/v1/schedules/" + id)
                .then()
                .statusCode(200)
                .body("active", equalTo(true))
                .body("items_count", equalTo(1));
        assertThat(as(alice).get("/v1/schedules").asString()).contains(Long.toString(id));
    }

    private static void assertNotFound(Response response) {
        response.then().statusCode(404).body("message", notNullValue()).body("errors.size()", equalTo(0));
        assertThat(response.jsonPath().getString("message"))
                .doesNotContain("another")
                .doesNotContain("owner");
    }
}
