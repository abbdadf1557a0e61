package dev.recur.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.recur.common.time.ApiTime;
import dev.recur.testinfra.ChildJvm;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The four services against a broker whose only client listener is SASL_SSL (SCRAM-SHA-512, a CA made at
 * test time), each taking its whole Kafka configuration from its {@code kafka.*} settings: a schedule created
 * through the API fires and its result reaches the callback receiver. A service given only a plaintext
 * configuration stops at start-up with a message naming the setting.
 * <p>
 * A system of its own (the shared one of the other end-to-end classes is plaintext), run in a failsafe execution of
 * its own (tag {@code secured-kafka}) so that it does not start beside the shared one on a small machine.
 */
@Tag("e2e")
@Tag("secured-kafka")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredKafkaIT {

    private static final String USER = "sasl-user";
    private static final String PASSWORD = "correct-horse-battery";

    private static LocalRecur recur;
    private static WireMockServer outside;
    private static RecurApi api;
    private static long scheduleId;

    @BeforeAll
    static void start() {
        outside = new WireMockServer(
                options().bindAddress(RecurSystem.OUTSIDE_ADDRESS).dynamicPort());
        outside.start();
        outside.stubFor(get(urlPathEqualTo("/page"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/html")
                        .withBody("<html><body>secured page</body></html>")));
        outside.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        String outsideUrl = "http://" + RecurSystem.OUTSIDE_ADDRESS + ":" + outside.port();

        Map<String, String> props = new LinkedHashMap<>();
        props.put("recur.job-runner.fetcher.allow", RecurSystem.OUTSIDE_ADDRESS + "/32");
        props.put("recur.delivery.callback.allowed-networks", RecurSystem.OUTSIDE_ADDRESS + "/32");
        props.put("recur.delivery.callback.signing-secret", RecurSystem.SIGNING_SECRET);
        Path data = Path.of("target/secured-kafka-data").toAbsolutePath();
        Infra.deleteRecursively(data);
        long begin = System.nanoTime();
        recur = new LocalRecur(
                LocalRecur.Options.forTests(Repo.dir(), data, props).withSecuredKafka());
        recur.start();
        System.out.printf("[secured-kafka] Recur on SASL_SSL started in %.1f s%n", (System.nanoTime() - begin) / 1e9);

        RecurApi admin =
                new RecurApi(recur.apiBaseUrl(), RecurSystem.basic(LocalRecur.ADMIN_USER, recur.adminPassword()));
        RecurApi.Response added = admin.send(
                "POST", "/v1/admin/users", "{\"username\":\"" + USER + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(added.status()).as("%s", added).isEqualTo(201);
        api = new RecurApi(recur.apiBaseUrl(), RecurSystem.basic(USER, PASSWORD));
        // created first, so that its minute comes while the plaintext service is tried
        RecurApi.Response created = api.send(
                "POST",
                "/v1/schedules",
                "{\"cron\":\"* * * * *\",\"items\":[{\"source\":"
                        + "\"universal\",\"url\":\"" + outsideUrl + "/page\",\"callback_url\":\"" + outsideUrl
                        + "/hook\"}],"
                        + "\"end_time\":\"" + ApiTime.format(Instant.now().plus(1, ChronoUnit.DAYS)) + "\"}");
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        scheduleId = created.json().path("schedule_id").asLong();
    }

    @AfterAll
    static void stop() {
        if (recur != null) {
            recur.close();
        }
        if (outside != null) {
            outside.stop();
        }
    }

    private static String servicesLogs() {
        StringBuilder logs = new StringBuilder("no callback yet; the services' logs end:");
        for (String name : List.of("ticker", "job-runner", "delivery")) {
            logs.append("\n--- ")
                    .append(name)
                    .append('\n')
                    .append(ChildJvm.tail(recur.service(name).log(), 15));
        }
        return logs.toString();
    }

    @Test
    @Order(1)
    void shouldStopAServiceWithAMessageNamingTheSettingWhenItsConfigurationIsPlaintext() {
        // job-runner as the system runs it, but with the bootstrap servers alone: no security settings at all
        ServiceProcess plaintext = new ServiceProcess(
                "job-runner",
                Repo.dir().resolve("job-runner/target/quarkus-app/quarkus-run.jar"),
                Ports.free(),
                Map.of(
                        "kafka.bootstrap.servers",
                        recur.kafka().bootstrapServers(),
                        "recur.kafka.startup-check-timeout",
                        "PT5S",
                        "recur.callback-seal.secrets",
                        "k1:AAAAAAAAAAAAAAAAAAAAAA=="),
                recur.service("job-runner").log().resolveSibling("job-runner-plaintext.log"));
        long begin = System.nanoTime();
        plaintext.start();
        try {
            await().atMost(Duration.ofSeconds(90))
                    .untilAsserted(() -> assertThat(plaintext.isAlive())
                            .as(() -> "the plaintext job-runner still runs; its log ends:\n"
                                    + ChildJvm.tail(plaintext.log(), 40))
                            .isFalse());
        } finally {
            plaintext.stop();
        }
        String log = ChildJvm.tail(plaintext.log(), 200);
        System.out.printf(
                "[secured-kafka] the plaintext job-runner stopped after %.1f s%n", (System.nanoTime() - begin) / 1e9);
        assertThat(log)
                .contains("Kafka at " + recur.kafka().bootstrapServers() + " expects TLS")
                .contains("kafka.security.protocol=PLAINTEXT")
                .contains("set kafka.security.protocol to SASL_SSL");
    }

    @Test
    @Order(2)
    void shouldFireAndDeliverAScheduleWhenEveryServiceTalksToKafkaOverSaslSslOnly() throws Exception {
        List<String> listeners = Files.readAllLines(recur.kafka().configuration()).stream()
                .filter(line -> line.startsWith("listeners=") || line.startsWith("advertised.listeners="))
                .toList();
        assertThat(listeners)
                .as("the broker's listeners")
                .allSatisfy(line -> assertThat(line).doesNotContain("PLAINTEXT://"));

        await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(outside.findAll(postRequestedFor(urlPathEqualTo("/hook"))))
                        .as(SecuredKafkaIT::servicesLogs)
                        .isNotEmpty());
        LoggedRequest callback =
                outside.findAll(postRequestedFor(urlPathEqualTo("/hook"))).get(0);
        JsonNode body = RecurApi.JSON.readTree(callback.getBodyAsString());
        System.out.printf("[secured-kafka] callback received at %s: %s%n", Instant.now(), body);
        assertThat(body.path("schedule_id").asLong()).isEqualTo(scheduleId);
        assertThat(body.path("status").asText()).isEqualTo("done");
        assertThat(outside.findAll(getRequestedFor(urlPathEqualTo("/page"))))
                .as("the page the job fetched")
                .isNotEmpty();
    }
}
