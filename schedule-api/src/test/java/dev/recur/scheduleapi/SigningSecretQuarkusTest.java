package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.Map;

import dev.recur.common.event.SigningSecret;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.common.time.ApiTime;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * A tenant's signing secret: shown once, published to the internal topic for delivery (with the rotation window of
 * the secret it replaced), never readable again, per user; and callback URLs with credentials refused at create.
 */
@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class SigningSecretQuarkusTest {

    @Test
    void shouldShowTheSecretOnceAndPublishEachRotationWithItsWindowWhenCreatedAndRotated() {
        String alice = Api.newUser();
        try (KafkaConsumer<String, byte[]> consumer = TopicTail.consumerAtEnd(Topics.SIGNING_SECRETS)) {
            as(alice).get("/v1/signing-secret").then().statusCode(404);

            Response first = as(alice).body(Map.of()).post("/v1/signing-secret");
            first.then().statusCode(201).body("$", not(hasKey("previous_secret_id")));
            String firstId = first.path("secret_id");
            String firstSecret = first.path("secret");
            assertThat(firstSecret).startsWith("whsec_").hasSizeGreaterThan(40);

            Response second =
                    as(alice).body(Map.of("previous_valid_for_seconds", 3600)).post("/v1/signing-secret");
            second.then().statusCode(201).body("previous_secret_id", equalTo(firstId));
            String secondSecret = second.path("secret");
            assertThat(secondSecret).isNotEqualTo(firstSecret);
            assertThat(ApiTime.parse(second.path("previous_valid_until")))
                    .isEqualTo(ApiTime.parse(second.path("created_at")).plusSeconds(3600));

            // never shown again
            Response shown = as(alice).get("/v1/signing-secret");
            shown.then()
                    .statusCode(200)
                    .body("secret_id", equalTo(second.path("secret_id")))
                    .body("previous_secret_id", equalTo(firstId))
                    .body("$", not(hasKey("secret")));
            assertThat(shown.asString()).doesNotContain(firstSecret).doesNotContain(secondSecret);

            List<ConsumerRecord<String, byte[]>> records = TopicTail.recordsOf(consumer, alice, 2);
            SigningSecret one = EventJson.read(records.get(0).value(), SigningSecret.class);
            SigningSecret two = EventJson.read(records.get(1).value(), SigningSecret.class);
            assertThat(one.secret()).isEqualTo(firstSecret);
            assertThat(one.previousValidUntil()).isNull();
            assertThat(two.secret()).isEqualTo(secondSecret);
            assertThat(two.owner()).isEqualTo(alice);
            assertThat(ApiTime.format(two.previousValidUntil())).isEqualTo(second.path("previous_valid_until"));

            as(alice).delete("/v1/signing-secret").then().statusCode(204);
            as(alice).get("/v1/signing-secret").then().statusCode(404);
            as(alice).delete("/v1/signing-secret").then().statusCode(404);
            assertThat(TopicTail.recordsOf(consumer, alice, 1).get(0).value())
                    .as("a tombstone")
                    .isNull();
        }
    }

    @Test
    void shouldEndThePreviousSecretAtOnceWhenRotatedWithAZeroWindow() {
        String bob = Api.newUser();
        as(bob).body(Map.of()).post("/v1/signing-secret").then().statusCode(201);

        as(bob).body(Map.of("previous_valid_for_seconds", 0))
                .post("/v1/signing-secret")
                .then()
                .statusCode(201)
                .body("$", not(hasKey("previous_secret_id")));
    }

    @Test
    void shouldKeepEachUsersSecretToThemselves() {
        String alice = Api.newUser();
        String bob = Api.newUser();
        as(alice).body(Map.of()).post("/v1/signing-secret").then().statusCode(201);

        as(bob).get("/v1/signing-secret").then().statusCode(404);
        as(bob).delete("/v1/signing-secret").then().statusCode(404);
        as(alice).get("/v1/signing-secret").then().statusCode(200);
    }

    @Test
    void shouldRefuseAWindowOutsideZeroToSevenDays() {
        String carol = Api.newUser();
        for (Object bad : new Object[] {-1, 604801, 1.5, "3600"}) {
            as(carol)
                    .body(Map.of("previous_valid_for_seconds", bad))
                    .post("/v1/signing-secret")
                    .then()
                    .statusCode(400)
                    .body("errors[0].field", equalTo("previous_valid_for_seconds"));
        }
        as(carol).get("/v1/signing-secret").then().statusCode(404);
    }

    @Test
    void shouldRefuseACallbackUrlWithCredentialsWithoutEchoingThem() {
        String dave = Api.newUser();
        for (String url : new String[] {"https://u:s3cret@hooks.example.com/r", "https://t0ken@hooks.example.com/"}) {
            Response refused = as(dave).body(Map.of(
                            "cron",
                            "@daily",
                            "end_time",
                            Api.END_TIME,
                            "items",
                            List.of(Map.of("source", "universal", "url", "https://example.com", "callback_url", url))))
                    .post("/v1/schedules");
            refused.then().statusCode(400).body("errors[0].field", equalTo("items[0].callback_url"));
            assertThat(refused.asString())
                    .contains("credentials")
                    .doesNotContain("s3cret")
                    .doesNotContain("t0ken");
        }
        // a query token is still accepted (signatures are the better check, docs/callbacks.md)
        as(dave).body(Map.of(
                        "cron",
                        "@daily",
                        "end_time",
                        Api.END_TIME,
                        "items",
                        List.of(Map.of(
                                "source",
                                "universal",
                                "url",
                                "https://example.com",
                                "callback_url",
                                "https://hooks.example.com/r?token=x"))))
                .post("/v1/schedules")
                .then()
                .statusCode(201);
    }

    @Test
    void shouldDescribeTheSecretsAndTheCallbackRulesInTheOpenApiDocument() {
        String doc = io.restassured.RestAssured.given()
                .get("/q/openapi?format=json")
                .then()
                .statusCode(200)
                .extract()
                .asString();

        assertThat(doc)
                .contains(
                        "/v1/signing-secret",
                        "previous_valid_for_seconds",
                        "X-Recur-Signature",
                        "callback_url must not carry credentials",
                        "Callback signatures");
    }
}
