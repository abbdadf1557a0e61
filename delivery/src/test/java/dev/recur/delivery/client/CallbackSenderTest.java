package dev.recur.delivery.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.json.EventJson;
import dev.recur.common.net.AllowedTarget;
import dev.recur.common.net.Resolver;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.domain.AttemptOutcome;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Callbacks to names whose DNS answers are the IPv6 forms of a loopback receiver: the receiver must see nothing. */
class CallbackSenderTest {

    private static final Instant AT = Instant.parse("2026-12-07T03:00:00Z");

    private static WireMockServer receiver;
    private static Vertx vertx;

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
    void reset() {
        receiver.resetRequests();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "::ffff:127.0.0.1",
                "::ffff:169.254.169.254",
                "::ffff:10.0.0.1",
                "::127.0.0.1",
                "64:ff9b::127.0.0.1",
                "2002:7f00:1::",
                "2001:0:4136:e378:8000:63bf:80ff:fffe",
                "127.0.0.1",
                "::1"
            })
    void shouldRefuseWithoutARequestWhenCallbackHostResolvesToAnInternalForm(String answer) {
        CallbackSender sender = sender(Resolver.of(Map.of("hook.test", List.of(answer))));

        AttemptOutcome outcome = sender.send(job(), "http://hook.test:" + receiver.port() + "/hook");
        sender.close();

        assertThat(outcome.success()).isFalse();
        assertThat(outcome.permanent()).as("refused, never retried").isTrue();
        assertThat(outcome.reason())
                .startsWith("refused target hook.test: ")
                .doesNotContain(answer)
                .doesNotContain("127.0.0.1");
        assertThat(receiver.getAllServeEvents()).isEmpty();
    }

    @Test
    void shouldPostToTheCheckedAddressWhenCallbackHostResolvesToAnAllowedMappedAddress() {
        CallbackSender sender = sender(Resolver.of(Map.of("hook.test", List.of("::ffff:127.0.0.1"))), "127.0.0.1/32");

        AttemptOutcome outcome = sender.send(job(), "http://hook.test:" + receiver.port() + "/hook");
        sender.close();

        assertThat(outcome.success()).as(outcome.reason()).isTrue();
        receiver.verify(
                postRequestedFor(urlEqualTo("/hook")).withHeader("Host", equalTo("hook.test:" + receiver.port())));
    }

    private static CallbackSender sender(Resolver resolver, String... allow) {
        return new CallbackSender(new Settings(List.of(allow), Optional.empty()), 2, vertx, resolver);
    }

    private static DeliverableJob job() {
        return new DeliverableJob(
                FinishedJob.of(JobResult.of(
                        42L,
                        7L,
                        9L,
                        "alice",
                        AT,
                        0,
                        JsonNodeFactory.instance.objectNode().put("source", "universal"),
                        200,
                        JobStatus.DONE,
                        null,
                        "http_fetcher",
                        1,
                        AT,
                        AT,
                        List.of(),
                        null)),
                EventJson.write(Map.of("results", List.of())));
    }

    /** Callback settings of unit tests: allowed networks and the deployment's signing key. */
    record Settings(List<String> allow, Optional<String> deploymentSecret) implements DeliveryConfig.Callback {

        @Override
        public Duration timeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(2);
        }

        @Override
        public Optional<String> signingSecret() {
            return deploymentSecret;
        }

        @Override
        public int inlineResultsLimitBytes() {
            return 1024;
        }

        @Override
        public String publicBaseUrl() {
            return "http://localhost:8080";
        }

        @Override
        public Optional<List<AllowedTarget>> allowedNetworks() {
            return Optional.of(allow.stream().map(AllowedTarget::of).toList());
        }
    }
}
