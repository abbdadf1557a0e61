package dev.recur.testinfra.gcs;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

/**
 * Builds clients apart from {@link GcsEmulator}, so that loading that class does not load the Google client
 * libraries: google-cloud-storage is an optional dependency of test-infra, present only in modules that use GCS.
 */
final class EmulatorClients {

    private EmulatorClients() {}

    static Storage storage(String host, String projectId) {
        return StorageOptions.newBuilder()
                .setHost(host)
                .setProjectId(projectId)
                .setCredentials(NoCredentials.getInstance())
                .build()
                .getService();
    }
}
