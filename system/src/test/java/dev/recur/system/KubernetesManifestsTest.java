package dev.recur.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.recur.common.event.Topics;

/**
 * Renders each kustomize overlay ({@code kubectl kustomize}) and checks the objects against what the services
 * really are: ports, probe paths, configuration they read, topics. Without kubectl on the machine, the base is
 * assembled from its kustomization files instead (overlays' patches are then not applied, and the test says so).
 */
class KubernetesManifestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldRunEveryServiceWithProbesResourcesAndNonRootWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        for (String service : Repo.SERVICES) {
            JsonNode deployment = workload(objects, service);
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            JsonNode container = pod.path("containers").get(0);
            int port = Repo.defaultHttpPort(service);
            assertThat(container.path("ports").get(0).path("containerPort").asInt()).as(service).isEqualTo(port);
            assertThat(env(container)).as(service).containsEntry("HTTP_PORT", Integer.toString(port));
            assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
            assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
            assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/started");
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(container.path(probe).path("httpGet").path("port").asText()).as(service + " " + probe)
                        .isEqualTo(container.path("ports").get(0).path("name").asText());
            }
            for (String kind : List.of("requests", "limits")) {
                assertThat(container.path("resources").path(kind).has("cpu")).as(service + " " + kind).isTrue();
                assertThat(container.path("resources").path(kind).has("memory")).as(service + " " + kind).isTrue();
            }
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(service).isTrue();
            assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true)).isFalse();

            JsonNode svc = find(objects, "Service", service);
            assertThat(svc.path("spec").path("selector")).isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
            assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
            assertThat(find(objects, "PodDisruptionBudget", service).path("spec").path("selector").path("matchLabels"))
                    .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldGiveEachTickerPodItsOwnStableMembershipAndStateVolumeWhenRendered(String overlay) throws Exception {
        JsonNode ticker = workload(render(overlay), "ticker");
        JsonNode container = ticker.path("spec").path("template").path("spec").path("containers").get(0);
        JsonNode instanceId = null;
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("TICKER_INSTANCE_ID")) {
                instanceId = e;
            }
        }
        assertThat(instanceId).as("TICKER_INSTANCE_ID").isNotNull();
        assertThat(instanceId.path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.name");
        assertThat(ticker.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText())
                .isEqualTo(container.path("volumeMounts").get(0).path("name").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldOnlyPassConfigurationTheServicesReadWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        JsonNode config = find(objects, "ConfigMap", "recur-config").path("data");
        Set<String> readByAny = new HashSet<>();
        Repo.SERVICES.forEach(s -> readByAny.addAll(Repo.environmentVariablesReadBy(s)));
        String rendered = objects.toString();
        config.fieldNames().forEachRemaining(key -> assertThat(readByAny.contains(key) || rendered.contains("$(" + key + ")"))
                .as("ConfigMap key " + key + " is read by a service or expanded in a manifest").isTrue());
        Set<String> secretNames = objects.stream().filter(o -> o.path("kind").asText().equals("Secret"))
                .map(o -> o.path("metadata").path("name").asText()).collect(Collectors.toSet());
        for (String service : Repo.SERVICES) {
            JsonNode container = workload(objects, service).path("spec").path("template").path("spec")
                    .path("containers").get(0);
            assertThat(Repo.environmentVariablesReadBy(service)).as(service).containsAll(env(container).keySet());
            container.path("env").forEach(e -> {
                JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                if (!ref.isMissingNode() && overlay.equals("dev") && kubectlAvailable()) {
                    assertThat(secretNames).as("secret for " + e.path("name").asText()).contains(ref.path("name").asText());
                }
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldDeclareEveryTopicWithItsPartitionsAndCompactionWhenRendered(String overlay) throws Exception {
        List<JsonNode> topics = render(overlay).stream().filter(o -> o.path("kind").asText().equals("KafkaTopic")).toList();
        assertThat(topics).extracting(t -> t.path("spec").path("topicName").asText())
                .containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topics.Spec::name).toList());
        for (Topics.Spec spec : Topics.ALL) {
            JsonNode topic = topics.stream().filter(t -> t.path("spec").path("topicName").asText().equals(spec.name()))
                    .findFirst().orElseThrow();
            assertThat(topic.path("metadata").path("labels").path("strimzi.io/cluster").asText()).isNotBlank();
            assertThat(topic.path("spec").path("partitions").asInt()).as(spec.name()).isEqualTo(spec.partitions());
            assertThat(topic.path("spec").path("config").path("cleanup.policy").asText()).as(spec.name())
                    .isEqualTo(spec.compacted() ? "compact" : "delete");
            assertThat(topic.path("spec").path("config").path("max.message.bytes").asInt()).as(spec.name())
                    .isEqualTo(spec.maxMessageBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldAutoscaleJobRunnerAndDeliveryOnlyWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        List<JsonNode> hpas = objects.stream().filter(o -> o.path("kind").asText().equals("HorizontalPodAutoscaler")).toList();
        assertThat(hpas).extracting(h -> h.path("spec").path("scaleTargetRef").path("name").asText())
                .containsExactlyInAnyOrder("job-runner", "delivery");
        for (JsonNode hpa : hpas) {
            find(objects, "Deployment", hpa.path("spec").path("scaleTargetRef").path("name").asText());
            assertThat(hpa.path("spec").path("minReplicas").asInt())
                    .isLessThanOrEqualTo(hpa.path("spec").path("maxReplicas").asInt());
        }
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
        return env;
    }

    /** The service's Deployment, or its StatefulSet (the ticker: a stable name per pod, a volume for its state). */
    private static JsonNode workload(List<JsonNode> objects, String service) {
        String kind = service.equals("ticker") ? "StatefulSet" : "Deployment";
        return find(objects, kind, service);
    }

    private static JsonNode find(List<JsonNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
        Path dir = Repo.dir().resolve("k8s/overlays").resolve(overlay);
        String yaml = kubectlAvailable() ? kubectlKustomize(dir) : assembleBase(Repo.dir().resolve("k8s/base"));
        List<JsonNode> objects = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(yaml)) {
            if (doc != null) {
                objects.add(JSON.valueToTree(doc));
            }
        }
        return objects;
    }

    private static boolean kubectlAvailable() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            System.out.println("[k8s] kubectl not found: checking the base without overlay patches");
            return false;
        }
    }

    private static String kubectlKustomize(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + dir + ":\n" + out).isZero();
        return out;
    }

    /** The base's resources, following kustomization.yaml {@code resources} lists (files and folders). */
    @SuppressWarnings("unchecked")
    private static String assembleBase(Path dir) throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(dir.resolve("kustomization.yaml")));
        StringBuilder out = new StringBuilder();
        for (String resource : (List<String>) kustomization.get("resources")) {
            Path path = dir.resolve(resource);
            out.append(Files.isDirectory(path) ? assembleBase(path) : Files.readString(path)).append("\n---\n");
        }
        return out.toString();
    }
}
