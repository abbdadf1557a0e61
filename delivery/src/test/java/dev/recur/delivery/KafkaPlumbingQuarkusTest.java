package dev.recur.delivery;

import dev.recur.testinfra.quarkus.KafkaChannelPlumbingTest;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.PostgresTestResource;
import dev.recur.testinfra.gcs.GcsTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "recur_delivery"))
@QuarkusTestResource(value = S3TestResource.class, initArgs = @ResourceArg(name = "buckets", value = "recur-test,recur-results,user-bucket"))
@QuarkusTestResource(CallbackReceiverResource.class)
@QuarkusTestResource(GcsTestResource.class)
class KafkaPlumbingQuarkusTest extends KafkaChannelPlumbingTest {
}
