package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.recur.common.event.TenantBuckets;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * A tenant's bucket list (issue 20, item 2): set by administrators only, read by its user, enforced at create and
 * replace with a field error naming the item, published for delivery on recur.tenant-buckets, and gone with the user
 * (as is the user's signing secret).
 */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class TenantBucketsQuarkusTest {

    private static RequestSpecification admin() {
        return given().auth().preemptive().basic(Api.ADMIN, Api.ADMIN_PASSWORD).contentType(ContentType.JSON);
    }

    private static long idOf(String user) {
        return as(user).get("/v1/users/me")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("id");
    }

    private static Map<String, Object> withItems(List<Map<String, Object>> items) {
        return Map.of("cron", "@daily", "end_time", Api.END_TIME, "items", items);
    }

    private static Map<String, Object> stored(String type, String url) {
        return Map.of("source", "universal", "url", "https://example.com", "storage_type", type, "storage_url", url);
    }

    @Test
    void shouldRefuseAnItemNamingABucketOutsideTheUsersListNamingTheItem() {
        String user = Api.newUser();
        long id = idOf(user);
        // no list yet: any bucket but the system's
        long before = Long.parseLong(as(user).body(withItems(List.of(stored("s3", "s3://elsewhere/x"))))
                .post("/v1/schedules")
                .then()
                .statusCode(201)
                .extract()
                .path("schedule_id_str"));
        as(user).get("/v1/users/me/buckets")
                .then()
                .statusCode(200)
                .body("restricted", equalTo(false))
                .body("buckets", empty());

        admin().body(Map.of("buckets", List.of("s3://acme-*", "gs://archive")))
                .put("/v1/admin/users/" + id + "/buckets")
                .then()
                .statusCode(200)
                .body("restricted", equalTo(true))
                .body("buckets", contains("s3://acme-*", "gs://archive"))
                .body("schedules_outside", contains(before));

        as(user).get("/v1/users/me/buckets")
                .then()
                .statusCode(200)
                .body("user_id", equalTo((int) id))
                .body("buckets", contains("s3://acme-*", "gs://archive"))
                .body("$", hasKey("updated_at"));
        as(user).body(withItems(List.of(
                        stored("s3", "s3://acme-eu/in"),
                        stored("s3", "s3://elsewhere/x"),
                        // a gs:// entry does not allow an S3 bucket of the same name
                        Map.of("source", "universal", "url", "https://example.com"),
                        stored("s3", "s3://archive/x"))))
                .post("/v1/schedules")
                .then()
                .statusCode(400)
                .body("errors.field", contains("items[1].storage_url", "items[3].storage_url"))
                .body("errors[0].message", containsString("'elsewhere', which is not in the owner's bucket list"));
        long created = Long.parseLong(
                as(user).body(withItems(List.of(stored("s3", "s3://acme-eu/in"), stored("gcs", "gs://archive/x"))))
                        .post("/v1/schedules")
                        .then()
                        .statusCode(201)
                        .extract()
                        .path("schedule_id_str"));
        // replace is checked too
        as(user).body(withItems(List.of(stored("gcs", "gs://elsewhere/x"))))
                .put("/v1/schedules/" + before)
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("items[0].storage_url"));
        as(user).body(withItems(List.of(stored("s3", "s3://acme-1/x"))))
                .put("/v1/schedules/" + before)
                .then()
                .statusCode(200);
        assertThat(created).isPositive();

        // an empty list allows no bucket; items without one are not affected
        admin().body(Map.of("buckets", List.of()))
                .put("/v1/admin/users/" + id + "/buckets")
                .then()
                .statusCode(200)
                .body("schedules_outside", contains(Math.min(before, created), Math.max(before, created)));
        as(user).body(withItems(List.of(stored("s3", "s3://acme-eu/in"))))
                .post("/v1/schedules")
                .then()
                .statusCode(400)
                .body("errors[0].message", containsString("bucket list (empty)"));
        Api.createSchedule(user);

        admin().delete("/v1/admin/users/" + id + "/buckets").then().statusCode(204);
        admin().delete("/v1/admin/users/" + id + "/buckets").then().statusCode(404);
        as(user).get("/v1/users/me/buckets")
                .then()
                .statusCode(200)
                .body("restricted", equalTo(false))
                .body("$", not(hasKey("updated_at")));
        as(user).body(withItems(List.of(stored("s3", "s3://elsewhere/y"))))
                .post("/v1/schedules")
                .then()
                .statusCode(201);
    }

    @Test
    void shouldLetOnlyAdministratorsManageAListAndRefuseBadEntriesWithTheApisErrorBody() {
        String user = Api.newUser();
        long id = idOf(user);

        as(user).body(Map.of("buckets", List.of("s3://*")))
                .put("/v1/admin/users/" + id + "/buckets")
                .then()
                .statusCode(403)
                .body("message", containsString("administrators"));
        as(user).get("/v1/admin/users/" + id + "/buckets").then().statusCode(403);
        as(user).delete("/v1/admin/users/" + id + "/buckets").then().statusCode(403);
        admin().body(Map.of("buckets", List.of("s3://fine", "acme-results")))
                .put("/v1/admin/users/" + id + "/buckets")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("buckets[1]"))
                .body("errors[0].message", containsString("s3://bucket or gs://bucket"));
        admin().body(Map.of("buckets", List.of("s3://acme/prefix")))
                .put("/v1/admin/users/" + id + "/buckets")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("buckets[0]"));
        admin().body(Map.of("bucket", "s3://x"))
                .put("/v1/admin/users/" + id + "/buckets")
                .then()
                .statusCode(400)
                .body("errors[0].field", equalTo("buckets"));
        admin().body(Map.of("buckets", List.of("s3://x")))
                .put("/v1/admin/users/999999999/buckets")
                .then()
                .statusCode(404);
        admin().get("/v1/admin/users/" + id + "/buckets").then().statusCode(200).body("restricted", equalTo(false));
    }

    @Test
    void shouldPublishTheListForDeliveryAndEndItAndTheSigningSecretWhenTheUserIsDeleted() {
        String user = Api.newUser();
        long id = idOf(user);
        as(user).body("{}").post("/v1/signing-secret").then().statusCode(201);
        try (KafkaConsumer<String, byte[]> buckets = TopicTail.consumerAtEnd(Topics.TENANT_BUCKETS);
                KafkaConsumer<String, byte[]> secrets = TopicTail.consumerAtEnd(Topics.SIGNING_SECRETS)) {
            admin().body(Map.of("buckets", List.of("s3://acme-*")))
                    .put("/v1/admin/users/" + id + "/buckets")
                    .then()
                    .statusCode(200);
            admin().body(Map.of("buckets", List.of("s3://acme-*", "gs://acme-archive")))
                    .put("/v1/admin/users/" + id + "/buckets")
                    .then()
                    .statusCode(200);

            admin().delete("/v1/admin/users/" + id).then().statusCode(204);

            List<ConsumerRecord<String, byte[]>> lists = TopicTail.recordsOf(buckets, user, 3);
            TenantBuckets first = EventJson.read(lists.get(0).value(), TenantBuckets.class);
            assertThat(first.owner()).isEqualTo(user);
            assertThat(first.buckets()).containsExactly("s3://acme-*");
            assertThat(EventJson.read(lists.get(1).value(), TenantBuckets.class).buckets())
                    .containsExactly("s3://acme-*", "gs://acme-archive");
            assertThat(lists.get(2).value()).as("the deleted user's list ends").isNull();
            // the secret created above may reach the topic after the consumer started: wait for the tombstone
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : secrets.poll(Duration.ofMillis(200))) {
                    if (user.equals(r.key()) && r.value() == null) {
                        return true;
                    }
                }
                return false;
            });
        }
    }

    @Test
    void shouldDescribeTheBucketListsInTheOpenApiDocument() {
        String doc = given().get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .asString();

        assertThat(doc)
                .contains(
                        "/v1/admin/users/{id}/buckets",
                        "/v1/users/me/buckets",
                        "schedules_outside",
                        "items[i].storage_url");
    }
}
