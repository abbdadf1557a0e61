package dev.recur.scheduleapi;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The benchmark creates far more schedules per user than the test quota allows, and runs for minutes. */
public class BenchmarkProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        // the credential cache re-checks each user's bcrypt hash once a minute by default: ~50 ms of CPU per user,
        // noise for a real client but most of a 5-second one-connection phase that happens to cross the minute
        return Map.of(
                "recur.schedule-api.max-active-schedules-per-user",
                "100000000",
                "recur.schedule-api.credential-cache-ttl",
                "PT30M",
                "quarkus.log.category.\"org.apache.kafka\".level",
                "WARN");
    }
}
