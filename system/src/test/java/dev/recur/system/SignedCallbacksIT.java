package dev.recur.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 25, item 4, through the processes: a tenant's signing secret, created and rotated through the API, reaches
 * delivery (over recur.signing-secrets) and signs the tenant's callbacks, as a receiver checks them with the code of
 * docs/callbacks.md ({@link Signatures}): during a rotation window with both secrets, after a rotation without one
 * with the new secret only, never with the deployment's key.
 */
@Tag("e2e")
class SignedCallbacksIT {

    @Test
    void shouldSignTheTenantsCallbacksWithItsOwnSecretsWhenCreatedAndRotatedThroughTheApi() throws Exception {
        LocalRecur recur = RecurSystem.get();
        WireMockServer outside = RecurSystem.outside();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String hook = "/signed-hook-" + tag;
        outside.stubFor(post(urlPathEqualTo(hook)).willReturn(aResponse().withStatus(200)));
        outside.stubFor(get(urlPathEqualTo("/signed-page-" + tag))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/html")
                        .withBody("<html>signed</html>")));
        String user = "signer-" + tag;
        RecurApi admin =
                new RecurApi(recur.apiBaseUrl(), RecurSystem.basic(LocalRecur.ADMIN_USER, recur.adminPassword()));
        String newUser = "{\"username\":\"" + user + "\",\"password\":\"" + RecurSystem.PASSWORD + "\"}";
        assertThat(admin.send("POST", "/v1/admin/users", newUser).status()).isEqualTo(201);
        RecurApi tenant = RecurSystem.api(user);

        String first = secret(tenant.send("POST", "/v1/signing-secret", "{}"));
        String second = secret(tenant.send("POST", "/v1/signing-secret", "{\"previous_valid_for_seconds\":3600}"));
        String item = "{\"source\":\"universal\",\"url\":\"" + RecurSystem.outsideUrl() + "/signed-page-" + tag
                + "\",\"callback_url\":\"" + RecurSystem.outsideUrl() + hook + "\"}";
        RecurApi.Response created = tenant.send(
                "POST",
                "/v1/schedules",
                "{\"cron\":\"* * * * *\",\"items\":[" + item + "],\"end_time\":\"2032-12-01 16:00:00\"}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String schedule =
                RecurApi.JSON.readTree(created.body()).path("schedule_id_str").asText();

        // the next minute's callback, in the rotation window: one v1 per secret
        LoggedRequest inWindow = awaitCallback(outside, hook, first);
        assertThat(inWindow.getHeader("X-Recur-Signature")).matches("t=\\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}");
        assertThat(verifies(inWindow, second)).isTrue();
        assertThat(verifies(inWindow, RecurSystem.SIGNING_SECRET))
                .as("the deployment's key")
                .isFalse();

        // a rotation that ends the previous secret at once: the new one only
        String third = secret(tenant.send("POST", "/v1/signing-secret", "{\"previous_valid_for_seconds\":0}"));
        LoggedRequest afterRotation = awaitCallback(outside, hook, third);
        assertThat(verifies(afterRotation, second)).as("the secret it replaced").isFalse();
        assertThat(verifies(afterRotation, first)).isFalse();
        assertThat(verifies(afterRotation, RecurSystem.SIGNING_SECRET)).isFalse();
        System.out.printf(
                "[signed-callbacks] %d callbacks, headers %s then %s%n",
                outside.findAll(postRequestedFor(urlPathEqualTo(hook))).size(),
                inWindow.getHeader("X-Recur-Signature"),
                afterRotation.getHeader("X-Recur-Signature"));

        assertThat(tenant.send("DELETE", "/v1/schedules/" + schedule, null).status())
                .isEqualTo(204);
    }

    private static String secret(RecurApi.Response response) throws Exception {
        assertThat(response.status()).as("%s", response).isEqualTo(201);
        JsonNode body = RecurApi.JSON.readTree(response.body());
        return body.path("secret").asText();
    }

    /** The first callback to {@code hook} that verifies with {@code secret}: runs come each minute. */
    private static LoggedRequest awaitCallback(WireMockServer outside, String hook, String secret) {
        AtomicReference<LoggedRequest> found = new AtomicReference<>();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    List<LoggedRequest> callbacks = outside.findAll(postRequestedFor(urlPathEqualTo(hook)));
                    callbacks.stream()
                            .filter(r -> verifies(r, secret))
                            .findFirst()
                            .ifPresent(found::set);
                    return found.get() != null;
                });
        return found.get();
    }

    private static boolean verifies(LoggedRequest request, String secret) {
        return Signatures.verifies(request.getHeader("X-Recur-Signature"), request.getBody(), secret);
    }
}
