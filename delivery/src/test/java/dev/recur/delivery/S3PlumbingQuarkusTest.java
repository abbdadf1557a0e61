package dev.recur.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.PostgresTestResource;
import dev.recur.testinfra.gcs.GcsTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "recur_delivery"))
@QuarkusTestResource(value = S3TestResource.class, initArgs = @ResourceArg(name = "buckets", value = "recur-test,recur-results,user-bucket"))
@QuarkusTestResource(CallbackReceiverResource.class)
@QuarkusTestResource(GcsTestResource.class)
class S3PlumbingQuarkusTest {

    @Inject
    S3Client s3;

    @Test
    void shouldPutAndGetObjectWhenS3ServerIsReal() {
        String key = "plumbing/" + UUID.randomUUID() + ".json";
        s3.putObject(b -> b.bucket("recur-test").key(key).contentType("application/json"),
                RequestBody.fromString("{\"ok\":true}"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("recur-test").key(key)).asUtf8String()).isEqualTo("{\"ok\":true}");
    }
}
