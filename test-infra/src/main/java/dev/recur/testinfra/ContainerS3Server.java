package dev.recur.testinfra;

import org.testcontainers.containers.MinIOContainer;

/** MinIO, where a Docker engine runs. */
final class ContainerS3Server extends ContainerServer<MinIOContainer> implements S3Server {

    ContainerS3Server() {
        super(new MinIOContainer("minio/minio:RELEASE.2025-09-07T16-13-09Z")
                .withUserName("recur-access")
                .withPassword("recur-secret-key"));
    }

    @Override
    public String endpoint() {
        return container.getS3URL();
    }

    @Override
    public String accessKey() {
        return container.getUserName();
    }

    @Override
    public String secretKey() {
        return container.getPassword();
    }
}
