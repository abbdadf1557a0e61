package dev.recur.scheduleapi;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The benchmark creates far more schedules per user than the test quota allows. */
public class BenchmarkProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("recur.schedule-api.max-active-schedules-per-user", "100000000",
                "quarkus.log.category.\"org.apache.kafka\".level", "WARN");
    }
}
