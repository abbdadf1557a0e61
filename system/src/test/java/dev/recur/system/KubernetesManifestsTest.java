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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.common.event.Topics;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders each kustomize overlay ({@code kubectl kustomize}) and checks the objects against what the services
 * really are: ports, probe paths, configuration they read, topics. Without kubectl on the machine, each overlay is
 * assembled from its kustomization files' resources instead (patches are then not applied, and the test says so).
 */
class KubernetesManifestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-keda"})
    void shouldRunEveryServiceWithProbesResourcesAndNonRootWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        for (String service : Repo.SERVICES) {
            JsonNode deployment = workload(objects, service);
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            JsonNode container = pod.path("containers").get(0);
            int port = Repo.defaultHttpPort(service);
            assertThat(container.path("ports").get(0).path("containerPort").asInt())
                    .as(service)
                    .isEqualTo(port);
            assertThat(env(container)).as(service).containsEntry("HTTP_PORT", Integer.toString(port));
            assertThat(container
                            .path("livenessProbe")
                            .path("httpGet")
                            .path("path")
                            .asText())
                    .isEqualTo("/q/health/live");
            assertThat(container
                            .path("readinessProbe")
                            .path("httpGet")
                            .path("path")
                            .asText())
                    .isEqualTo("/q/health/ready");
            assertThat(container
                            .path("startupProbe")
                            .path("httpGet")
                            .path("path")
                            .asText())
                    .isEqualTo("/q/health/started");
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(container.path(probe).path("httpGet").path("port").asText())
                        .as(service + " " + probe)
                        .isEqualTo("management");
            }
            for (String kind : List.of("requests", "limits")) {
                assertThat(container.path("resources").path(kind).has("cpu"))
                        .as(service + " " + kind)
                        .isTrue();
                assertThat(container.path("resources").path(kind).has("memory"))
                        .as(service + " " + kind)
                        .isTrue();
            }
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean())
                    .as(service)
                    .isTrue();
            assertThat(container
                            .path("securityContext")
                            .path("allowPrivilegeEscalation")
                            .asBoolean(true))
                    .isFalse();

            JsonNode svc = find(objects, "Service", service);
            assertThat(svc.path("spec").path("selector"))
                    .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
            assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asText())
                    .isEqualTo("http");
            assertThat(find(objects, "PodDisruptionBudget", service)
                            .path("spec")
                            .path("selector")
                            .path("matchLabels"))
                    .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-keda"})
    void shouldGiveEachTickerPodItsOwnStableMembershipAndStateVolumeWhenRendered(String overlay) throws Exception {
        JsonNode ticker = workload(render(overlay), "ticker");
        JsonNode container = ticker.path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
        JsonNode instanceId = null;
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals("TICKER_INSTANCE_ID")) {
                instanceId = e;
            }
        }
        assertThat(instanceId).as("TICKER_INSTANCE_ID").isNotNull();
        assertThat(instanceId
                        .path("valueFrom")
                        .path("fieldRef")
                        .path("fieldPath")
                        .asText())
                .isEqualTo("metadata.name");
        String claim = ticker.path("spec")
                .path("volumeClaimTemplates")
                .get(0)
                .path("metadata")
                .path("name")
                .asText();
        assertThat(container.path("volumeMounts"))
                .as("the state volume's mount")
                .anySatisfy(m -> assertThat(m.path("name").asText()).isEqualTo(claim));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-keda"})
    void shouldOnlyPassConfigurationTheServicesReadWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        JsonNode config = find(objects, "ConfigMap", "recur-config").path("data");
        String rendered = objects.toString();
        config.fieldNames()
                .forEachRemaining(key -> assertThat(Repo.SERVICES.stream().anyMatch(s -> reads(s, key))
                                || rendered.contains("$(" + key + ")"))
                        .as("ConfigMap key " + key + " is read by a service or expanded in a manifest")
                        .isTrue());
        // the overlay's Secrets, and those Strimzi's User Operator creates for the KafkaUsers
        Set<String> secretNames = objects.stream()
                .filter(o ->
                        Set.of("Secret", "KafkaUser").contains(o.path("kind").asText()))
                .map(o -> o.path("metadata").path("name").asText())
                .collect(Collectors.toSet());
        for (String service : Repo.SERVICES) {
            JsonNode container = workload(objects, service)
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .get(0);
            assertThat(env(container).keySet())
                    .as(service + ": variables its configuration reads")
                    .allMatch(name -> reads(service, name));
            container.path("env").forEach(e -> {
                JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                if (!ref.isMissingNode()
                        && !ref.path("optional").asBoolean(false)
                        && overlay.equals("dev")
                        && kubectlAvailable()) {
                    assertThat(secretNames)
                            .as("secret for " + e.path("name").asText())
                            .contains(ref.path("name").asText());
                }
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-keda"})
    void shouldDeclareEveryTopicWithItsPartitionsAndCompactionWhenRendered(String overlay) throws Exception {
        List<JsonNode> topics = render(overlay).stream()
                .filter(o -> o.path("kind").asText().equals("KafkaTopic"))
                .toList();
        assertThat(topics)
                .extracting(t -> t.path("spec").path("topicName").asText())
                .containsExactlyInAnyOrderElementsOf(
                        Topics.ALL.stream().map(Topics.Spec::name).toList());
        for (Topics.Spec spec : Topics.ALL) {
            JsonNode topic = topics.stream()
                    .filter(t -> t.path("spec").path("topicName").asText().equals(spec.name()))
                    .findFirst()
                    .orElseThrow();
            assertThat(topic.path("metadata")
                            .path("labels")
                            .path("strimzi.io/cluster")
                            .asText())
                    .isNotBlank();
            assertThat(topic.path("spec").path("partitions").asInt())
                    .as(spec.name())
                    .isEqualTo(spec.partitions());
            assertThat(topic.path("spec").path("config").path("cleanup.policy").asText())
                    .as(spec.name())
                    .isEqualTo(spec.compacted() ? "compact" : "delete");
            assertThat(topic.path("spec")
                            .path("config")
                            .path("max.message.bytes")
                            .asInt())
                    .as(spec.name())
                    .isEqualTo(spec.maxMessageBytes());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-keda"})
    void shouldAutoscaleJobRunnerAndDeliveryOnlyWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        List<JsonNode> hpas = objects.stream()
                .filter(o -> o.path("kind").asText().equals("HorizontalPodAutoscaler"))
                .toList();
        List<JsonNode> scaledObjects = objects.stream()
                .filter(o -> o.path("kind").asText().equals("ScaledObject"))
                .toList();
        if (overlay.endsWith("keda")) {
            if (kubectlAvailable()) {
                // the overlay's patch deletes them: without kubectl, patches are not applied
                assertThat(hpas)
                        .as("KEDA owns the scaling: no HPA beside its own")
                        .isEmpty();
            }
            assertThat(scaledObjects)
                    .extracting(o ->
                            o.path("spec").path("scaleTargetRef").path("name").asText())
                    .containsExactlyInAnyOrder("job-runner", "delivery");
            return;
        }
        assertThat(scaledObjects).isEmpty();
        assertThat(hpas)
                .extracting(
                        h -> h.path("spec").path("scaleTargetRef").path("name").asText())
                .containsExactlyInAnyOrder("job-runner", "delivery");
        for (JsonNode hpa : hpas) {
            find(
                    objects,
                    "Deployment",
                    hpa.path("spec").path("scaleTargetRef").path("name").asText());
            assertThat(hpa.path("spec").path("minReplicas").asInt())
                    .isLessThanOrEqualTo(hpa.path("spec").path("maxReplicas").asInt());
        }
    }

    /**
     * Every rendered object read into its published Java model with nothing left over: fabric8's Kubernetes model
     * (and its Prometheus Operator model for ServiceMonitor and PrometheusRule), Strimzi's api for KafkaTopic and
     * KafkaUser. The models keep unknown fields, and values of the wrong type, in {@code additionalProperties}
     * instead of failing, so every object of the read tree is checked for those: a misspelt or misplaced field, a
     * field of another API version, fails here. KEDA publishes no Java model: its objects are checked against its
     * CRDs' fields by {@link #shouldUseOnlyFieldsOfKedasCrdsWhenRendered}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-keda"})
    void shouldReadEveryObjectStrictlyIntoItsPublishedModelWhenRendered(String overlay) throws Exception {
        KubernetesSerialization serialization = new KubernetesSerialization();
        Map<String, Class<?>> customResources = Map.of(
                "kafka.strimzi.io/v1 KafkaTopic", KafkaTopic.class,
                "kafka.strimzi.io/v1 KafkaUser", KafkaUser.class,
                "monitoring.coreos.com/v1 ServiceMonitor", ServiceMonitor.class,
                "monitoring.coreos.com/v1 PrometheusRule", PrometheusRule.class);
        List<String> problems = new ArrayList<>();
        int read = 0;
        for (JsonNode object : render(overlay)) {
            String type = object.path("apiVersion").asText() + " "
                    + object.path("kind").asText();
            String name = type + " " + object.path("metadata").path("name").asText();
            if (object.path("apiVersion").asText().startsWith("keda.sh/")) {
                continue;
            }
            Object model;
            if (customResources.containsKey(type)) {
                model = serialization.unmarshal(object.toString(), customResources.get(type));
            } else {
                model = serialization.unmarshal(object.toString());
                if (model instanceof GenericKubernetesResource) {
                    problems.add(name + ": no model for this apiVersion and kind");
                    continue;
                }
            }
            collectUnknownFields(model, name, problems);
            read++;
        }
        assertThat(problems)
                .as(overlay + ": fields the published models do not have")
                .isEmpty();
        assertThat(read).isGreaterThan(30);
        assertThat(KafkaUser.VERSIONS).as("Strimzi's served KafkaUser versions").contains("v1");
    }

    /** The model's {@code additionalProperties} everywhere in the tree: what the schema does not know. */
    private static void collectUnknownFields(Object node, String path, List<String> problems) throws Exception {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                collectUnknownFields(e.getValue(), path + "." + e.getKey(), problems);
            }
            return;
        }
        if (node instanceof Iterable<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (node == null
                || !(node.getClass().getName().startsWith("io.fabric8.")
                        || node.getClass().getName().startsWith("io.strimzi."))) {
            return;
        }
        for (java.lang.reflect.Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || !getter.getName().startsWith("get")
                    || getter.getName().equals("getClass")
                    || getter.getDeclaringClass().getName().startsWith("java.")) {
                continue;
            }
            Object value = getter.invoke(node);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> unknown && !unknown.isEmpty()) {
                    problems.add(path + ": " + unknown.keySet());
                }
            } else {
                collectUnknownFields(value, path + "." + getter.getName().substring(3), problems);
            }
        }
    }

    /** KEDA publishes CRDs but no Java model: the fields used must be among those of its CRDs (keda.sh/v1alpha1). */
    @Test
    void shouldUseOnlyFieldsOfKedasCrdsWhenRendered() throws Exception {
        Map<String, Set<String>> fields = Map.of(
                "ScaledObject.spec",
                        Set.of(
                                "scaleTargetRef",
                                "pollingInterval",
                                "cooldownPeriod",
                                "initialCooldownPeriod",
                                "idleReplicaCount",
                                "minReplicaCount",
                                "maxReplicaCount",
                                "fallback",
                                "advanced",
                                "triggers"),
                "ScaledObject.spec.scaleTargetRef", Set.of("apiVersion", "kind", "name", "envSourceContainerName"),
                "ScaledObject.spec.triggers[]",
                        Set.of("type", "name", "metadata", "authenticationRef", "metricType", "useCachedMetrics"),
                "ScaledObject.spec.triggers[].authenticationRef", Set.of("name", "kind"),
                // the Kafka scaler's parameters (keda.sh docs, scalers/apache-kafka); metadata is a string map
                "ScaledObject.spec.triggers[].metadata",
                        Set.of(
                                "bootstrapServers",
                                "consumerGroup",
                                "topic",
                                "lagThreshold",
                                "activationLagThreshold",
                                "offsetResetPolicy",
                                "allowIdleConsumers",
                                "scaleToZeroOnInvalidOffset",
                                "excludePersistentLag",
                                "limitToPartitionsWithLag",
                                "sasl",
                                "tls",
                                "version",
                                "partitionLimitation"),
                "TriggerAuthentication.spec",
                        Set.of(
                                "secretTargetRef",
                                "env",
                                "configMapTargetRef",
                                "podIdentity",
                                "hashiCorpVault",
                                "azureKeyVault",
                                "awsSecretManager",
                                "gcpSecretManager",
                                "boundServiceAccountToken"),
                "TriggerAuthentication.spec.secretTargetRef[]", Set.of("parameter", "name", "key"));
        List<JsonNode> keda = render("prod-keda").stream()
                .filter(o -> o.path("apiVersion").asText().equals("keda.sh/v1alpha1"))
                .toList();
        assertThat(keda).extracting(o -> o.path("kind").asText()).contains("ScaledObject", "TriggerAuthentication");
        List<String> problems = new ArrayList<>();
        for (JsonNode object : keda) {
            String kind = object.path("kind").asText();
            checkKedaFields(object.path("spec"), kind + ".spec", fields, problems);
            assertThat(object.path("spec").path("minReplicaCount").isMissingNode()
                            || object.path("spec").path("minReplicaCount").isInt())
                    .isTrue();
            for (JsonNode trigger : object.path("spec").path("triggers")) {
                assertThat(trigger.path("type").asText()).isEqualTo("kafka");
                trigger.path("metadata")
                        .forEach(v -> assertThat(v.isTextual())
                                .as("KEDA metadata values are strings: " + v)
                                .isTrue());
                assertThat(keda)
                        .as("authenticationRef " + trigger.path("authenticationRef"))
                        .anySatisfy(o -> assertThat(o.path("kind").asText() + "/"
                                        + o.path("metadata").path("name").asText())
                                .isEqualTo("TriggerAuthentication/"
                                        + trigger.path("authenticationRef")
                                                .path("name")
                                                .asText()));
            }
        }
        assertThat(problems).as("fields KEDA's CRDs do not have").isEmpty();
    }

    private static void checkKedaFields(
            JsonNode node, String path, Map<String, Set<String>> fields, List<String> problems) {
        if (node.isArray()) {
            node.forEach(item -> checkKedaFields(item, path + "[]", fields, problems));
            return;
        }
        if (!node.isObject() || !fields.containsKey(path)) {
            return;
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!fields.get(path).contains(name)) {
                problems.add(path + "." + name);
            }
            checkKedaFields(node.get(name), path + "." + name, fields, problems);
        });
    }

    /**
     * One SCRAM user per service, granted what the service's configuration uses and nothing more: Read on the topics
     * its SmallRye channels consume and on their groups, Write on the topics it publishes to, and (ticker, job-runner)
     * its transactional ids; no wildcard names, no {@code All}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldGiveEachServiceAKafkaUserWithOnlyTheAclsItUsesWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        Map<String, Set<String>> expected = new java.util.TreeMap<>();
        for (String service : Repo.SERVICES) {
            Set<String> acls = new java.util.TreeSet<>();
            Map<String, String> props = properties(service);
            props.forEach((key, value) -> {
                if (key.matches("mp\\.messaging\\.incoming\\.[^.]+\\.topic")) {
                    acls.add("topic literal " + value + " Read");
                }
                if (key.matches("mp\\.messaging\\.incoming\\.[^.]+\\.group\\.id")) {
                    acls.add("group literal " + value + " Read");
                }
            });
            expected.put(service, acls);
        }
        String streamsApp = properties("ticker").get("quarkus.kafka-streams.application-id");
        expected.get("ticker")
                .addAll(Set.of(
                        "topic literal " + Topics.SCHEDULES + " Read",
                        "topic literal " + Topics.DUE_RUNS + " Write",
                        "group literal " + streamsApp + " Read",
                        "topic prefix " + streamsApp + "- Create",
                        "transactionalId prefix " + streamsApp + "- Write"));
        expected.get("schedule-api")
                .addAll(Set.of(
                        "topic literal " + Topics.SCHEDULES + " Write",
                        "topic literal " + Topics.SIGNING_SECRETS + " Write",
                        "topic literal " + Topics.DELIVERY_REPLAYS + " Write"));
        expected.get("job-runner")
                .addAll(Set.of(
                        "topic literal " + Topics.DUE_RUNS + " Read",
                        "topic literal " + Topics.JOB_RESULTS + " Write",
                        "group literal recur-job-runner Read",
                        "transactionalId prefix recur-job-runner- Write"));
        expected.get("delivery")
                .addAll(Set.of(
                        "topic literal " + Topics.SCHEDULE_STATS + " Write",
                        "topic literal " + Topics.JOB_HISTORY + " Write",
                        "topic literal " + Topics.DELIVERY_DLQ + " Write",
                        "topic literal " + Topics.SIGNING_SECRETS + " Read"));
        expected.get("schedule-api").add("topic literal " + Topics.TENANT_BUCKETS + " Write");
        expected.get("delivery").add("topic literal " + Topics.TENANT_BUCKETS + " Read");
        for (String service : Repo.SERVICES) {
            JsonNode user = find(objects, "KafkaUser", "recur-" + service);
            assertThat(user.path("spec").path("authentication").path("type").asText())
                    .isEqualTo("scram-sha-512");
            Set<String> granted = new java.util.TreeSet<>();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                JsonNode resource = acl.path("resource");
                assertThat(resource.path("name").asText())
                        .as(service)
                        .isNotIn("*", "")
                        .doesNotContain("*");
                for (JsonNode op : acl.path("operations")) {
                    assertThat(op.asText()).as(service).isNotEqualTo("All");
                    granted.add(resource.path("type").asText() + " "
                            + resource.path("patternType").asText("literal") + " "
                            + resource.path("name").asText() + " " + op.asText());
                }
            }
            assertThat(granted).as(service + " ACLs").containsAll(expected.get(service));
            // Read and Write only where expected (the ticker's internal topics are named by their prefix); the rest is
            // Describe and, for the ticker's internal topics, what Kafka Streams needs to manage them
            assertThat(granted.stream()
                            .filter(g -> g.endsWith(" Read") || g.endsWith(" Write"))
                            .filter(g -> !expected.get(service).contains(g)
                                    && !g.startsWith("topic prefix " + streamsApp + "-"))
                            .toList())
                    .as(service + ": Read/Write beyond what it uses")
                    .isEmpty();
            // the service reads its credentials from the Secret Strimzi makes for its user
            JsonNode container = workload(objects, service)
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .get(0);
            assertThat(container.path("env").toString())
                    .as(service)
                    .contains("\"name\":\"KAFKA_SASL_JAAS_CONFIG\"", "\"name\":\"recur-" + service + "\"");
        }
    }

    /**
     * The signing secrets and the tenants' bucket lists reach delivery through Kafka: only schedule-api may write them
     * and only delivery read them; the example team consumer of the public results reads that topic and its own
     * groups, nothing internal.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldLetOnlyScheduleApiWriteAndOnlyDeliveryReadTheSigningSecretsWhenRendered(String overlay)
            throws Exception {
        List<JsonNode> objects = render(overlay);
        Map<String, Set<String>> onSecrets = new java.util.TreeMap<>();
        Map<String, Set<String>> onBucketLists = new java.util.TreeMap<>();
        Set<String> readerGrants = new java.util.TreeSet<>();
        for (JsonNode user : objects.stream()
                .filter(o -> o.path("kind").asText().equals("KafkaUser"))
                .toList()) {
            String name = user.path("metadata").path("name").asText();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                JsonNode resource = acl.path("resource");
                for (JsonNode op : acl.path("operations")) {
                    if (resource.path("name").asText().equals(Topics.SIGNING_SECRETS)
                            && !op.asText().equals("Describe")) {
                        onSecrets
                                .computeIfAbsent(name, n -> new java.util.TreeSet<>())
                                .add(op.asText());
                    }
                    if (resource.path("name").asText().equals(Topics.TENANT_BUCKETS)
                            && !op.asText().equals("Describe")) {
                        onBucketLists
                                .computeIfAbsent(name, n -> new java.util.TreeSet<>())
                                .add(op.asText());
                    }
                    if (name.equals("recur-results-reader")) {
                        readerGrants.add(resource.path("type").asText() + " "
                                + resource.path("name").asText() + " " + op.asText());
                    }
                }
            }
        }
        assertThat(onSecrets)
                .isEqualTo(Map.of("recur-schedule-api", Set.of("Write"), "recur-delivery", Set.of("Read")));
        assertThat(onBucketLists)
                .isEqualTo(Map.of("recur-schedule-api", Set.of("Write"), "recur-delivery", Set.of("Read")));
        assertThat(readerGrants)
                .containsExactlyInAnyOrder(
                        "topic " + Topics.JOB_RESULTS + " Read",
                        "topic " + Topics.JOB_RESULTS + " Describe",
                        "group results-reader- Read",
                        "group results-reader- Describe");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-keda"})
    void shouldRunReadOnlyWithItsOwnServiceAccountAndBoundedEgressWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        for (String service : Repo.SERVICES) {
            JsonNode pod =
                    workload(objects, service).path("spec").path("template").path("spec");
            String account = pod.path("serviceAccountName").asText();
            assertThat(account).as(service).isEqualTo("recur-" + service);
            find(objects, "ServiceAccount", account);
            for (JsonNode container : pod.path("containers")) {
                assertThat(container
                                .path("securityContext")
                                .path("readOnlyRootFilesystem")
                                .asBoolean())
                        .as(service)
                        .isTrue();
                String tmp = null;
                for (JsonNode mount : container.path("volumeMounts")) {
                    if (mount.path("mountPath").asText().equals("/tmp")) {
                        tmp = mount.path("name").asText();
                    }
                }
                assertThat(tmp).as(service + ": /tmp mounted").isNotNull();
                String tmpVolume = tmp;
                assertThat(pod.path("volumes"))
                        .as(service + ": /tmp is an emptyDir")
                        .anySatisfy(v -> assertThat(v.path("name").asText().equals(tmpVolume) && v.has("emptyDir"))
                                .isTrue());
            }
        }
        // only the API takes traffic from outside; every pod is under a default deny
        JsonNode deny = find(objects, "NetworkPolicy", "recur-default-deny");
        assertThat(deny.path("spec").path("policyTypes").toString()).contains("Ingress", "Egress");
        assertThat(deny.path("spec").path("ingress").isMissingNode()
                        && deny.path("spec").path("egress").isMissingNode())
                .isTrue();
        List<JsonNode> policies = objects.stream()
                .filter(o -> o.path("kind").asText().equals("NetworkPolicy"))
                .toList();
        for (JsonNode policy : policies) {
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                if (rule.path("from").isMissingNode()) {
                    assertThat(policy.path("spec")
                                    .path("podSelector")
                                    .path("matchLabels")
                                    .path("app.kubernetes.io/name")
                                    .asText())
                            .as("ingress from anywhere in "
                                    + policy.path("metadata").path("name"))
                            .isEqualTo("schedule-api");
                }
            }
        }
        // fetch and callbacks: the internet, never private, node or metadata ranges, over IPv4 and IPv6
        for (String service : List.of("job-runner", "delivery")) {
            String egress = find(objects, "NetworkPolicy", service)
                    .path("spec")
                    .path("egress")
                    .toString();
            assertThat(egress)
                    .as(service)
                    .contains(
                            "\"cidr\":\"0.0.0.0/0\"",
                            "\"cidr\":\"::/0\"",
                            "10.0.0.0/8",
                            "172.16.0.0/12",
                            "192.168.0.0/16",
                            "169.254.0.0/16",
                            "100.64.0.0/10",
                            "127.0.0.0/8",
                            "fc00::/7",
                            "fe80::/10",
                            "::1/128");
        }
        assertThat(policies.stream().map(p -> p.path("metadata").path("name").asText()))
                .as("ticker talks only to Kafka and DNS")
                .doesNotContain("ticker");
    }

    /**
     * ServiceMonitors on the Services' metrics port; the alerts and the dashboard ask only for metrics the services
     * register (read from their Micrometer calls) or that Strimzi's Kafka Exporter and postgres_exporter publish.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void shouldScrapeAlertAndChartOnlyMetricsThatExistWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        for (String service : Repo.SERVICES) {
            JsonNode monitor = find(objects, "ServiceMonitor", service);
            JsonNode svc = find(objects, "Service", service);
            assertThat(monitor.path("spec")
                            .path("selector")
                            .path("matchLabels")
                            .path("app.kubernetes.io/name")
                            .asText())
                    .isEqualTo(svc.path("metadata")
                            .path("labels")
                            .path("app.kubernetes.io/name")
                            .asText());
            assertThat(monitor.path("spec")
                            .path("endpoints")
                            .get(0)
                            .path("port")
                            .asText())
                    .isEqualTo("management");
            assertThat(svc.path("spec").path("ports").toString()).contains("\"name\":\"management\"");
            assertThat(monitor.path("spec")
                            .path("endpoints")
                            .get(0)
                            .path("path")
                            .asText())
                    .isEqualTo("/q/metrics");
        }
        Set<String> meters = registeredMeters();
        assertThat(meters)
                .contains(
                        "recur_ticker_publish_lateness", "recur_delivery_dead_letters", "recur_jobrunner_jobs_faulted");
        List<String> alerts = new ArrayList<>();
        find(objects, "PrometheusRule", "recur")
                .path("spec")
                .path("groups")
                .forEach(g -> g.path("rules").forEach(r -> {
                    alerts.add(r.path("alert").asText());
                    assertThat(unknownMetrics(r.path("expr").asText(), meters))
                            .as(r.path("alert").asText())
                            .isEmpty();
                }));
        assertThat(alerts)
                .contains(
                        "RecurConsumerLag",
                        "RecurDueRunsLate",
                        "RecurDeadLettersGrowing",
                        "RecurOutboxBacklog",
                        "RecurCallbackFailureRate");
        JsonNode dashboardMap = find(objects, "ConfigMap", "recur-grafana-dashboard");
        assertThat(dashboardMap
                        .path("metadata")
                        .path("labels")
                        .path("grafana_dashboard")
                        .asText())
                .isEqualTo("1");
        JsonNode dashboard = JSON.readTree(
                dashboardMap.path("data").path("recur-dashboard.json").asText());
        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            titles.add(panel.path("title").asText());
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            panel.path("targets")
                    .forEach(t -> assertThat(unknownMetrics(t.path("expr").asText(), meters))
                            .as(panel.path("title").asText())
                            .isEmpty());
        }
        assertThat(titles)
                .contains(
                        "Schedules",
                        "Runs per minute",
                        "Due-run lateness",
                        "Job outcomes per minute",
                        "Delivery retries and dead letters per minute",
                        "Consumer lag");
    }

    /**
     * Health and metrics are on each service's management port (Quarkus' management interface, {@code MANAGEMENT_PORT}
     * as the service's configuration has it): the probes and the ServiceMonitors use it, each Service names it for the
     * ServiceMonitor, only Prometheus' namespace may reach it, and no ingress (a NetworkPolicy rule open to anyone, an
     * Ingress) leads to it. The API port serves the API, and in prod no Swagger UI unless it is turned on.
     */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "prod-keda"})
    void shouldServeHealthAndMetricsOnlyOnTheManagementPortWhenRendered(String overlay) throws Exception {
        List<JsonNode> objects = render(overlay);
        Set<String> managementPorts = new HashSet<>(Set.of("management"));
        for (String service : Repo.SERVICES) {
            JsonNode container = workload(objects, service)
                    .path("spec")
                    .path("template")
                    .path("spec")
                    .path("containers")
                    .get(0);
            int port = Repo.defaultManagementPort(service);
            managementPorts.add(Integer.toString(port));
            assertThat(container.path("ports"))
                    .as(service + ": the container's port \"management\"")
                    .anySatisfy(p -> assertThat(p.path("name").asText() + " "
                                    + p.path("containerPort").asInt())
                            .isEqualTo("management " + port));
            assertThat(env(container)).as(service).containsEntry("MANAGEMENT_PORT", Integer.toString(port));
            assertThat(port).as(service + ": its own port").isNotEqualTo(Repo.defaultHttpPort(service));
            JsonNode svc = find(objects, "Service", service);
            JsonNode servicePort = null;
            for (JsonNode p : svc.path("spec").path("ports")) {
                if (p.path("name").asText().equals("management")) {
                    servicePort = p;
                }
            }
            assertThat(servicePort)
                    .as(service + ": the Service's port \"management\"")
                    .isNotNull();
            assertThat(servicePort.path("targetPort").asText()).isEqualTo("management");
            managementPorts.add(servicePort.path("port").asText());
            JsonNode monitor = find(objects, "ServiceMonitor", service);
            assertThat(monitor.path("spec").path("endpoints"))
                    .as(service)
                    .isNotEmpty()
                    .allSatisfy(e -> assertThat(e.path("port").asText() + " "
                                    + e.path("path").asText())
                            .isEqualTo("management /q/metrics"));
        }
        for (JsonNode policy : objects.stream()
                .filter(o -> o.path("kind").asText().equals("NetworkPolicy"))
                .toList()) {
            String name = policy.path("metadata").path("name").asText();
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                Set<String> ports = new HashSet<>();
                rule.path("ports").forEach(p -> ports.add(p.path("port").asText()));
                if (rule.path("from").isMissingNode()) {
                    assertThat(ports)
                            .as(name + ": an ingress rule open to anyone names its ports")
                            .isNotEmpty();
                    assertThat(ports).as(name + ": open to anyone").doesNotContainAnyElementsOf(managementPorts);
                } else if (ports.isEmpty() || ports.stream().anyMatch(managementPorts::contains)) {
                    assertThat(rule.path("from"))
                            .as(name + ": who reaches the management port")
                            .allSatisfy(from -> assertThat(from.path("namespaceSelector")
                                            .path("matchLabels")
                                            .path("kubernetes.io/metadata.name")
                                            .asText())
                                    .isEqualTo("monitoring"));
                }
            }
        }
        assertThat(find(objects, "NetworkPolicy", "recur-metrics-scrape")
                        .path("spec")
                        .path("ingress")
                        .toString())
                .contains("\"port\":\"management\"");
        for (JsonNode ingress : objects.stream()
                .filter(o -> o.path("kind").asText().equals("Ingress"))
                .toList()) {
            ingress.findValues("service")
                    .forEach(backend -> assertThat(backend.path("port")
                                            .path("name")
                                            .asText()
                                    + backend.path("port").path("number").asText())
                            .as("Ingress " + ingress.path("metadata").path("name"))
                            .isNotIn(managementPorts));
        }
        JsonNode api = workload(objects, "schedule-api")
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
        if (overlay.startsWith("prod") && kubectlAvailable()) {
            assertThat(env(api))
                    .as("no Swagger UI in prod unless turned on")
                    .containsEntry("SWAGGER_UI_ENABLED", "false");
        }
    }

    /** Names in a PromQL expression that no service registers (exporters' names are known by their prefix). */
    static List<String> unknownMetrics(String expr, Set<String> meters) {
        List<String> unknown = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "\\b(recur_[a-z0-9_]+|kafka_[a-z0-9_]+|pg_[a-z0-9_]+)\\b")
                .matcher(expr.replaceAll("\"[^\"]*\"", "\"\""));
        while (m.find()) {
            String name = m.group(1);
            boolean known = name.startsWith("recur_")
                    ? meters.stream()
                            .anyMatch(
                                    base -> name.equals(base)
                                            || name.matches(
                                                    java.util.regex.Pattern.quote(base)
                                                            + "(_total|_seconds_bucket|_seconds_count|_seconds_sum|_seconds_max|_count|_sum|_max)"))
                    : Set.of("kafka_consumergroup_lag", "pg_stat_user_tables_n_live_tup")
                            .contains(name);
            if (!known) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    /** Meter names the services register with Micrometer, in Prometheus form ({@code recur.a.b} is {@code recur_a_b}). */
    static Set<String> registeredMeters() throws IOException {
        Set<String> meters = new java.util.TreeSet<>();
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("\"(recur\\.[a-z0-9.\\-]+)\"");
        for (String service : Repo.SERVICES) {
            try (var files = Files.walk(Repo.dir().resolve(service).resolve("src/main/java"))) {
                for (Path file :
                        files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(file);
                    if (source.contains("io.micrometer")) {
                        java.util.regex.Matcher m = name.matcher(source);
                        while (m.find()) {
                            meters.add(m.group(1).replace('.', '_').replace('-', '_'));
                        }
                    }
                }
            }
        }
        return meters;
    }

    /** A service's application.properties without test-profile lines. */
    private static Map<String, String> properties(String service) throws IOException {
        java.util.Properties props = new java.util.Properties();
        props.load(new java.io.StringReader(Repo.applicationProperties(service)));
        Map<String, String> out = new java.util.TreeMap<>();
        props.stringPropertyNames().stream()
                .filter(k -> !k.startsWith("%"))
                .forEach(k -> out.put(k, props.getProperty(k)));
        return out;
    }

    /**
     * Whether a service reads an environment variable: its application.properties names it ({@code ${DB_URL:...}}),
     * it is a Kafka client setting ({@code KAFKA_*}: Quarkus' default Kafka configuration takes every one, docs
     * "Secured Kafka"), or it is the environment form of one of the service's {@code @ConfigMapping} keys
     * ({@code RECUR_DELIVERY_CALLBACK_SIGNING_SECRET} for {@code recur.delivery.callback.signing-secret}).
     */
    private static boolean reads(String service, String variable) {
        if (Repo.environmentVariablesReadBy(service).contains(variable) || variable.startsWith("KAFKA_")) {
            return true;
        }
        try (var files = Files.walk(Repo.dir().resolve(service).resolve("src/main/java"))) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .map(Repo::read)
                    .filter(source -> source.contains("@ConfigMapping(prefix"))
                    .flatMap(source -> OperationsDocTest.keysOf(source).stream())
                    .anyMatch(key -> key.replaceAll("[^A-Za-z0-9]", "_")
                            .toUpperCase(java.util.Locale.ROOT)
                            .equals(variable));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container
                .path("env")
                .forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
        return env;
    }

    /** The service's Deployment, or its StatefulSet (the ticker: a stable name per pod, a volume for its state). */
    private static JsonNode workload(List<JsonNode> objects, String service) {
        String kind = service.equals("ticker") ? "StatefulSet" : "Deployment";
        return find(objects, kind, service);
    }

    private static JsonNode find(List<JsonNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind)
                        && o.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static List<JsonNode> render(String overlay) throws IOException, InterruptedException {
        Path dir = Repo.dir().resolve("k8s/overlays").resolve(overlay);
        String yaml = kubectlAvailable() ? kubectlKustomize(dir) : assembleBase(dir);
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
            Process p = new ProcessBuilder("kubectl", "version", "--client")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            System.out.println("[k8s] kubectl not found: checking the base without overlay patches");
            return false;
        }
    }

    private static String kubectlKustomize(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize " + dir + ":\n" + out).isZero();
        return out;
    }

    /**
     * An overlay's resources without its patches, following kustomization.yaml {@code resources} lists (files and
     * folders, down to the base), and the {@code configMapGenerator}s' ConfigMaps (files, labels).
     */
    @SuppressWarnings("unchecked")
    private static String assembleBase(Path dir) throws IOException {
        Map<String, Object> kustomization = new Yaml().load(Files.readString(dir.resolve("kustomization.yaml")));
        StringBuilder out = new StringBuilder();
        for (String resource : (List<String>) kustomization.get("resources")) {
            Path path = dir.resolve(resource);
            out.append(Files.isDirectory(path) ? assembleBase(path) : Files.readString(path))
                    .append("\n---\n");
        }
        for (Map<String, Object> generator :
                (List<Map<String, Object>>) kustomization.getOrDefault("configMapGenerator", List.of())) {
            Map<String, Object> data = new java.util.LinkedHashMap<>();
            for (String file : (List<String>) generator.get("files")) {
                data.put(file, Files.readString(dir.resolve(file)));
            }
            Map<String, Object> options = (Map<String, Object>) generator.getOrDefault("options", Map.of());
            Map<String, Object> metadata = new java.util.LinkedHashMap<>();
            metadata.put("name", generator.get("name"));
            metadata.put("labels", options.getOrDefault("labels", Map.of()));
            out.append(new Yaml()
                            .dump(Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", metadata, "data", data)))
                    .append("\n---\n");
        }
        return out.toString();
    }
}
