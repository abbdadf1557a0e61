package dev.recur.testinfra.gcs;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a service at the JVM's shared GCS emulator ({@link GcsEmulator#shared()}): {@code recur.gcs.host} is
 * the base URL of the GCS JSON API, {@code recur.gcs.project-id} the emulator's project; delivery reads the same
 * two as {@code recur.delivery.gcs.host} and {@code recur.delivery.gcs.project-id}. No bucket needs
 * creating: the emulator holds objects in any bucket name.
 */
public class GcsTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        GcsEmulator gcs = GcsEmulator.shared();
        return Map.of(
                "recur.gcs.host", gcs.host(),
                "recur.gcs.project-id", gcs.projectId(),
                // what delivery reads (DeliveryConfig.Gcs)
                "recur.delivery.gcs.host", gcs.host(),
                "recur.delivery.gcs.project-id", gcs.projectId());
    }

    @Override
    public void stop() {
        // shared by every test of this JVM; stopped when the JVM exits
    }
}
