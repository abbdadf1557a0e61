package dev.recur.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
                .contains("kafka", "postgres", "s3", "gcs")
                .containsAll(Repo.SERVICES);
    }

    @Test
    void shouldBuildEachServiceFromItsDockerfileWhenBuildIsDeclared() {
        for (String service : Repo.SERVICES) {
            JsonNode build = compose.path("services").path(service).path("build");
            Path dockerfile = Repo.dir()
                    .resolve(build.path("context").asText())
                    .resolve(build.path("dockerfile").asText());
            assertThat(dockerfile).as(service).isRegularFile();
            assertThat(Repo.read(dockerfile)).as(service).contains("target/quarkus-app");
        }
    }

    @Test
    void shouldOnlyPassEnvironmentVariablesTheServiceConfigurationReads() {
        for (String service : Repo.SERVICES) {
            Set<String> read = Repo.environmentVariablesReadBy(service);
            Set<String> given =
                    fieldNames(compose.path("services").path(service).path("environment"));
            assertThat(given).as(service + " environment").isNotEmpty();
            assertThat(read)
                    .as(service + ": variables its application.properties reads")
                    .containsAll(given);
        }
    }

    @Test
    void shouldListenOnTheConfiguredPortWhenHttpPortIsSet() {
        for (String service : Repo.SERVICES) {
            JsonNode svc = compose.path("services").path(service);
            int port = Repo.defaultHttpPort(service);
            assertThat(svc.path("environment").path("HTTP_PORT").asText())
                    .as(service)
                    .isEqualTo(Integer.toString(port));
            assertThat(svc.path("ports").toString()).as(service).contains(":" + port + "\"");
        }
    }

    /** Health and metrics are on the management port: the healthcheck asks there, and the port is not published. */
    @Test
    void shouldCheckHealthOnTheManagementPortWithoutPublishingIt() {
        for (String service : Repo.SERVICES) {
            JsonNode svc = compose.path("services").path(service);
            int port = Repo.defaultManagementPort(service);
            assertThat(svc.path("environment").path("MANAGEMENT_PORT").asText())
                    .as(service)
                    .isEqualTo(Integer.toString(port));
            assertThat(svc.path("healthcheck").path("test").toString())
                    .as(service)
                    .contains("localhost:$${MANAGEMENT_PORT}/q/health/ready");
            svc.path("ports").forEach(p -> assertThat(p.asText()).as(service).doesNotEndWith(":" + port));
        }
    }

    @Test
    void shouldNotPublishTheSameHostPortTwice() {
        List<String> hostPorts = new ArrayList<>();
        compose.path("services").forEach(svc -> svc.path("ports").forEach(p -> hostPorts.add(hostPort(p.asText()))));
        assertThat(hostPorts).doesNotHaveDuplicates();
    }

    @Test
    void shouldDependOnlyOnDefinedServicesWithTheHealthChecksItWaitsFor() {
        Set<String> defined = fieldNames(compose.get("services"));
        compose.get("services")
                .fields()
                .forEachRemaining(e -> e.getValue().path("depends_on").fields().forEachRemaining(dep -> {
                    assertThat(defined).as(e.getKey() + " depends on").contains(dep.getKey());
                    if ("service_healthy"
                            .equals(dep.getValue().path("condition").asText())) {
                        assertThat(compose.path("services").path(dep.getKey()).has("healthcheck"))
                                .as(dep.getKey() + " needs a healthcheck for " + e.getKey())
                                .isTrue();
                    }
                }));
    }

    @Test
    void shouldCreateEveryTopicWithItsDefaultsWhenKafkaTopicsRuns() {
        String script = compose.path("services")
                .path("kafka-topics")
                .path("command")
                .get(0)
                .asText();
        for (var spec : dev.recur.common.event.Topics.ALL) {
            assertThat(script)
                    .contains("--topic " + spec.name() + " --partitions " + spec.partitions()
                            + " --config cleanup.policy=" + (spec.compacted() ? "compact" : "delete")
                            + " --config max.message.bytes=" + spec.maxMessageBytes());
        }
    }

    @Test
    void shouldMountThePostgresInitScriptThatCreatesEachServiceDatabase() {
        assertThat(Repo.read(Repo.dir().resolve("deploy/docker/postgres-init.sql")))
                .contains("CREATE DATABASE recur_api", "CREATE DATABASE recur_delivery");
    }

    @Test
    void shouldPublishPortsOnLoopbackOnlyByDefault() {
        compose.path("services")
                .fields()
                .forEachRemaining(e -> e.getValue()
                        .path("ports")
                        .forEach(p ->
                                assertThat(p.asText()).as(e.getKey()).startsWith("${RECUR_BIND_ADDRESS:-127.0.0.1}:")));
    }

    @Test
    void shouldRestartLongRunningServicesAndNotOneShotJobs() {
        compose.path("services").fields().forEachRemaining(e -> {
            boolean oneShot = compose.path("services")
                    .toString()
                    .contains("\"" + e.getKey() + "\":{\"condition\":\"service_completed_successfully\"}");
            assertThat(e.getValue().path("restart").asText())
                    .as(e.getKey())
                    .isEqualTo(oneShot ? "no" : "unless-stopped");
        });
    }

    /** MinIO's community images are no longer published: s3proxy's image, configured by its environment. */
    @Test
    void shouldServeS3FromS3ProxysImageWithTheKeysTheServicesUse() {
        JsonNode s3 = compose.path("services").path("s3");
        assertThat(s3.path("image").asText()).startsWith("andrewgaul/s3proxy:");
        assertThat(compose.toString()).doesNotContain("minio");
        JsonNode env = s3.path("environment");
        assertThat(env.path("S3PROXY_AUTHORIZATION").asText()).isEqualTo("aws-v2-or-v4");
        String endpoint = env.path("S3PROXY_ENDPOINT").asText();
        for (String service : List.of("schedule-api", "job-runner", "delivery")) {
            JsonNode serviceEnv = compose.path("services").path(service).path("environment");
            assertThat(env.path("S3PROXY_IDENTITY").asText())
                    .isEqualTo(serviceEnv.path("S3_ACCESS_KEY_ID").asText());
            assertThat(env.path("S3PROXY_CREDENTIAL").asText())
                    .isEqualTo(serviceEnv.path("S3_SECRET_ACCESS_KEY").asText());
            assertThat(serviceEnv.path("S3_ENDPOINT").asText())
                    .isEqualTo("http://s3:" + endpoint.substring(endpoint.lastIndexOf(':') + 1));
        }
        // a bucket of the filesystem provider is a directory under the base directory, made before s3proxy starts
        String baseDir = env.path("JCLOUDS_FILESYSTEM_BASEDIR").asText();
        assertThat(s3.path("volumes").toString()).contains("s3-data:" + baseDir);
        String bucket = compose.path("services")
                .path("schedule-api")
                .path("environment")
                .path("RESULTS_BUCKET")
                .asText();
        assertThat(compose.path("services").path("s3-bucket").path("command").toString())
                .contains(baseDir + "/" + bucket);
        assertThat(compose.path("services").path("s3-bucket").path("volumes").toString())
                .contains("s3-data:" + baseDir);
    }

    @Test
    void shouldKeepKafkaDataAndTickerStateOnWritableVolumes() {
        JsonNode kafka = compose.path("services").path("kafka");
        String logDirs = kafka.path("environment").path("KAFKA_LOG_DIRS").asText();
        assertThat(logDirs)
                .as("KAFKA_LOG_DIRS (the image's default is inside the container)")
                .isNotBlank();
        assertThat(kafka.path("volumes").toString()).contains("kafka-data:" + logDirs);

        JsonNode ticker = compose.path("services").path("ticker");
        String stateDir = ticker.path("environment").path("TICKER_STATE_DIR").asText();
        assertThat(ticker.path("volumes").toString()).contains("ticker-state:" + stateDir);
        String user = Repo.read(Repo.dir().resolve("ticker/src/main/docker/Dockerfile.jvm"))
                .lines()
                .filter(l -> l.startsWith("USER "))
                .reduce((a, b) -> b)
                .orElseThrow()
                .substring(5)
                .trim();
        java.util.Iterator<String> deps = ticker.path("depends_on").fieldNames();
        JsonNode chown = null;
        while (deps.hasNext()) {
            JsonNode dep = compose.path("services").path(deps.next());
            if (dep.path("command").toString().contains("chown")) {
                chown = dep;
            }
        }
        assertThat(chown)
                .as("a one-shot service the ticker waits for that gives the state volume to the image's user")
                .isNotNull();
        assertThat(chown.path("command").toString()).contains(user + ":" + user);
        String mount = chown.path("volumes").get(0).asText();
        assertThat(mount).startsWith("ticker-state:");
        assertThat(chown.path("command").toString()).contains(mount.substring("ticker-state:".length()));
    }

    /** {@code [address:]host:container}: the host port. */
    private static String hostPort(String mapping) {
        String[] parts =
                mapping.replace("${RECUR_BIND_ADDRESS:-127.0.0.1}", "address").split(":");
        return parts[parts.length - 2];
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
