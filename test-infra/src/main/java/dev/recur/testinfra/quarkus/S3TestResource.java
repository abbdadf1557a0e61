package dev.recur.testinfra.quarkus;

import java.util.Arrays;
import java.util.Map;

import dev.recur.testinfra.Infra;
import dev.recur.testinfra.S3Server;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points quarkus-amazon-s3 at the JVM's shared real S3-compatible server. Init argument {@code buckets}
 * (comma-separated) names buckets to create.
 */
public class S3TestResource implements QuarkusTestResourceLifecycleManager {

    private String[] buckets = new String[0];

    @Override
    public void init(Map<String, String> initArgs) {
        String names = initArgs.getOrDefault("buckets", "");
        buckets = names.isBlank() ? new String[0] : names.split(",");
    }

    @Override
    public Map<String, String> start() {
        S3Server s3 = Infra.s3();
        Arrays.stream(buckets).map(String::trim).forEach(s3::createBucket);
        return Map.of(
                "quarkus.s3.endpoint-override",
                s3.endpoint(),
                "quarkus.s3.path-style-access",
                "true",
                "quarkus.s3.aws.region",
                S3Server.REGION,
                "quarkus.s3.aws.credentials.type",
                "static",
                "quarkus.s3.aws.credentials.static-provider.access-key-id",
                s3.accessKey(),
                "quarkus.s3.aws.credentials.static-provider.secret-access-key",
                s3.secretKey());
    }

    @Override
    public void stop() {
        // shared by every test of this JVM; stopped when the JVM exits
    }
}
