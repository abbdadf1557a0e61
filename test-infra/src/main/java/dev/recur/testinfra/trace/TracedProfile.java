package dev.recur.testinfra.trace;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A Quarkus test with tracing on, its spans in {@link TestTracing#SPANS}: the profile has Quarkus index this module,
 * so that its span processor bean, {@link TracedSpans}, joins the service's beans (the other profiles leave it out).
 */
public class TracedProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.otel.sdk.disabled", "false",
                "quarkus.index-dependency.recur-test-infra.group-id", "dev.recur",
                "quarkus.index-dependency.recur-test-infra.artifact-id", "recur-test-infra");
    }
}
