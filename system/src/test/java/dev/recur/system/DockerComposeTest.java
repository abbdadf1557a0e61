package dev.recur.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * docker-compose.yml checked statically (no Docker engine here): it parses, what the services build exists,
 * every environment variable a Recur service gets is one its configuration reads, and host ports do not clash.
 */
class DockerComposeTest {

    private static JsonNode compose;

    @BeforeAll
    static void parse() throws Exception {
        // SnakeYAML itself, not Jackson's YAML parser: only it resolves the anchors and merge keys compose uses
        Object yaml = new org.yaml.snakeyaml.Yaml().load(Repo.read(Repo.dir().resolve("docker-compose.yml")));
        compose = new ObjectMapper().valueToTree(yaml);
    }

    @Test
    void shouldDefineInfrastructureAndEveryServiceWhenParsed() {
        assertThat(fieldNames(compose.get("services")))
                .contains("kafka", "postgres", "minio", "gcs")
                .containsAll(Repo.SERVICES);
    }

    @Test
    void shouldBuildEachServiceFromItsDockerfileWhenBuildIsDeclared() {
        for (String service : Repo.SERVICES) {
            JsonNode build = compose.path("services").path(service).path("build");
            Path dockerfile = Repo.dir().resolve(build.path("context").asText()).resolve(build.path("dockerfile").asText());
            assertThat(dockerfile).as(service).isRegularFile();
            assertThat(Repo.read(dockerfile)).as(service).contains("target/quarkus-app");
        }
    }

    @Test
    void shouldOnlyPassEnvironmentVariablesTheServiceConfigurationReads() {
        for (String service : Repo.SERVICES) {
            Set<String> read = Repo.environmentVariablesReadBy(service);
            Set<String> given = fieldNames(compose.path("services").path(service).path("environment"));
            assertThat(given).as(service + " environment").isNotEmpty();
            assertThat(read).as(service + ": variables its application.properties reads").containsAll(given);
        }
    }

    @Test
    void shouldListenOnTheConfiguredPortWhenHttpPortIsSet() {
        for (String service : Repo.SERVICES) {
            JsonNode svc = compose.path("services").path(service);
            int port = Repo.defaultHttpPort(service);
            assertThat(svc.path("environment").path("HTTP_PORT").asText()).as(service).isEqualTo(Integer.toString(port));
            assertThat(svc.path("ports").toString()).as(service).contains(":" + port + "\"");
        }
    }

    @Test
    void shouldNotPublishTheSameHostPortTwice() {
        List<String> hostPorts = new ArrayList<>();
        compose.path("services").forEach(svc -> svc.path("ports").forEach(p -> hostPorts.add(p.asText().split(":")[0])));
        assertThat(hostPorts).doesNotHaveDuplicates();
    }

    @Test
    void shouldDependOnlyOnDefinedServicesWithTheHealthChecksItWaitsFor() {
        Set<String> defined = fieldNames(compose.get("services"));
        compose.get("services").fields().forEachRemaining(e -> e.getValue().path("depends_on").fields()
                .forEachRemaining(dep -> {
                    assertThat(defined).as(e.getKey() + " depends on").contains(dep.getKey());
                    if ("service_healthy".equals(dep.getValue().path("condition").asText())) {
                        assertThat(compose.path("services").path(dep.getKey()).has("healthcheck"))
                                .as(dep.getKey() + " needs a healthcheck for " + e.getKey()).isTrue();
                    }
                }));
    }

    @Test
    void shouldCreateEveryTopicWithItsDefaultsWhenKafkaTopicsRuns() {
        String script = compose.path("services").path("kafka-topics").path("command").get(0).asText();
        for (var spec : dev.recur.common.event.Topics.ALL) {
            assertThat(script).contains("--topic " + spec.name() + " --partitions " + spec.partitions()
                    + " --config cleanup.policy=" + (spec.compacted() ? "compact" : "delete")
                    + " --config max.message.bytes=" + spec.maxMessageBytes());
        }
    }

    @Test
    void shouldMountThePostgresInitScriptThatCreatesEachServiceDatabase() {
        assertThat(Repo.read(Repo.dir().resolve("deploy/docker/postgres-init.sql")))
                .contains("CREATE DATABASE recur_api", "CREATE DATABASE recur_delivery");
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
