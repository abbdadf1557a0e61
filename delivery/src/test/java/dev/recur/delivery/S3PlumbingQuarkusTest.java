package dev.recur.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class S3PlumbingQuarkusTest {

    @Inject
    S3Client s3;

    @Test
    void shouldPutAndGetObjectWhenS3ServerIsReal() {
        String key = "plumbing/" + UUID.randomUUID() + ".json";
        s3.putObject(
                b -> b.bucket("recur-test").key(key).contentType("application/json"),
                RequestBody.fromString("{\"ok\":true}"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("recur-test").key(key)).asUtf8String())
                .isEqualTo("{\"ok\":true}");
    }
}
