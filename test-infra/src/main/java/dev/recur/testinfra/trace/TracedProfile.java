package dev.recur.testinfra.trace;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A Quarkus test with tracing on. The test's module supplies a span processor bean, {@link TestTracing#processor()},
 * so that the spans land in {@link TestTracing#SPANS}.
 */
public class TracedProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.otel.sdk.disabled", "false");
    }
}
