package dev.recur.scheduleapi;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Test;

import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.PostgresTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;
import dev.recur.testinfra.quarkus.ServiceEndpointsTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "recur_api"))
@QuarkusTestResource(value = S3TestResource.class, initArgs = @ResourceArg(name = "buckets", value = "recur-results"))
class ServiceEndpointsQuarkusTest extends ServiceEndpointsTest {

    /** The group-commit metrics that docs/operations.md names, after a create has gone through. */
    @Test
    void shouldExposeCreateStatementMetricsWhenAScheduleIsCreated() {
        Api.createSchedule(Api.newUser());
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("recur_schedule_api_create_statement_duration_seconds_count"))
                .body(containsString("recur_schedule_api_create_statement_creates_count"));
    }
}
