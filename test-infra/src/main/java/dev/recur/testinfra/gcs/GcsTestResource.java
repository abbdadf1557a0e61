package dev.recur.testinfra.gcs;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a service at the JVM's shared GCS emulator ({@link GcsEmulator#shared()}): {@code recur.gcs.host} is
 * the base URL of the GCS JSON API, {@code recur.gcs.project-id} the emulator's project. No bucket needs
 * creating: the emulator holds objects in any bucket name.
 */
public class GcsTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        GcsEmulator gcs = GcsEmulator.shared();
        return Map.of(
                "recur.gcs.host", gcs.host(),
                "recur.gcs.project-id", gcs.projectId());
    }

    @Override
    public void stop() {
        // shared by every test of this JVM; stopped when the JVM exits
    }
}
