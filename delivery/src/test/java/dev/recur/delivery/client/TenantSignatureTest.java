package dev.recur.delivery.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.SigningSecret;
import dev.recur.common.json.EventJson;
import dev.recur.common.net.Resolver;
import dev.recur.common.signing.CallbackSignature;
import dev.recur.common.signing.SigningKeyring;
import dev.recur.delivery.domain.AttemptOutcome;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Callbacks as their receiver checks them: signed with the tenant's own secret (both secrets during a rotation
 * window, the new one only after it), with the deployment's key for tenants without one.
 */
class TenantSignatureTest {

    private static final Instant ROTATED = Instant.parse("2026-12-07T06:00:00Z");
    private static final Instant WINDOW_END = ROTATED.plus(Duration.ofHours(1));

    private static WireMockServer receiver;
    private static Vertx vertx;

    private final SigningKeyring keyring = new SigningKeyring();

    @BeforeAll
    static void start() {
        receiver = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        receiver.start();
        receiver.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(200)));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close();
        receiver.stop();
    }

    @BeforeEach
    void setUp() {
        receiver.resetRequests();
        keyring.apply("alice", SigningSecret.of("alice", "ss_old", "whsec_alice_old", ROTATED.minusSeconds(60), null));
        keyring.apply("alice", SigningSecret.of("alice", "ss_new", "whsec_alice_new", ROTATED, WINDOW_END));
        keyring.apply("bob", SigningSecret.of("bob", "ss_bob", "whsec_bob", ROTATED, null));
    }

    @Test
    void shouldVerifyWithTheTenantsSecretButNotWithAnotherTenantsOrTheDeploymentKey() {
        Instant at = WINDOW_END.plusSeconds(60);
        LoggedRequest request = send("bob", at);

        String header = request.getHeader(CallbackSignature.HEADER);
        assertThat(header).matches("t=" + at.getEpochSecond() + ",v1=[0-9a-f]{64}");
        assertThat(verifies(request, "whsec_bob", at)).isTrue();
        assertThat(verifies(request, "whsec_alice_new", at))
                .as("another tenant's secret")
                .isFalse();
        assertThat(verifies(request, "deployment-key", at))
                .as("the deployment's key")
                .isFalse();
        assertThat(verifies(
                        request,
                        "whsec_bob",
                        at.plus(CallbackSignature.TOLERANCE).plusSeconds(1)))
                .as("checked more than 5 minutes later")
                .isFalse();
    }

    @Test
    void shouldVerifyWithEitherSecretDuringTheRotationWindowAndOnlyWithTheNewOneAfterIt() {
        Instant during = WINDOW_END.minusSeconds(1);
        LoggedRequest inWindow = send("alice", during);
        assertThat(inWindow.getHeader(CallbackSignature.HEADER)).matches("t=\\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}");
        assertThat(verifies(inWindow, "whsec_alice_old", during)).isTrue();
        assertThat(verifies(inWindow, "whsec_alice_new", during)).isTrue();

        receiver.resetRequests();
        LoggedRequest after = send("alice", WINDOW_END);
        assertThat(verifies(after, "whsec_alice_old", WINDOW_END)).isFalse();
        assertThat(verifies(after, "whsec_alice_new", WINDOW_END)).isTrue();
    }

    @Test
    void shouldSignWithTheDeploymentKeyWhenTheTenantHasNoSecret() {
        LoggedRequest request = send("carol", ROTATED);

        assertThat(verifies(request, "deployment-key", ROTATED)).isTrue();
    }

    @Test
    void shouldFailWhenTheBodyWasChanged() {
        LoggedRequest request = send("bob", ROTATED);
        byte[] changed =
                request.getBodyAsString().replace("\"done\"", "\"faulted\"").getBytes();

        assertThat(new String(changed)).isNotEqualTo(request.getBodyAsString());
        assertThat(CallbackSignature.verify(
                        request.getHeader(CallbackSignature.HEADER),
                        changed,
                        "whsec_bob",
                        ROTATED,
                        CallbackSignature.TOLERANCE))
                .isFalse();
    }

    private LoggedRequest send(String owner, Instant at) {
        CallbackSender sender = new CallbackSender(
                new CallbackSenderTest.Settings(List.of("127.0.0.1/32"), Optional.of("deployment-key")),
                2,
                vertx,
                Resolver.of(Map.of("hook.test", List.of("127.0.0.1"))),
                TenantSigningKeys.of(keyring),
                Clock.fixed(at, ZoneOffset.UTC));
        AttemptOutcome outcome = sender.send(job(owner), "http://hook.test:" + receiver.port() + "/hook");
        sender.close();
        assertThat(outcome.success()).as(outcome.reason()).isTrue();
        assertThat(receiver.getAllServeEvents()).hasSize(1);
        return receiver.getAllServeEvents().get(0).getRequest();
    }

    private static boolean verifies(LoggedRequest request, String secret, Instant receivedAt) {
        return CallbackSignature.verify(
                request.getHeader(CallbackSignature.HEADER),
                request.getBody(),
                secret,
                receivedAt,
                CallbackSignature.TOLERANCE);
    }

    private static DeliverableJob job(String owner) {
        return new DeliverableJob(
                FinishedJob.of(JobResult.of(
                        42L,
                        7L,
                        9L,
                        owner,
                        ROTATED,
                        0,
                        JsonNodeFactory.instance.objectNode().put("source", "universal"),
                        200,
                        JobStatus.DONE,
                        null,
                        "http_fetcher",
                        1,
                        ROTATED,
                        ROTATED,
                        List.of(),
                        null)),
                EventJson.write(Map.of("results", List.of())));
    }
}
