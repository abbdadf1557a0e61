package dev.recur.scheduleapi;

import dev.recur.testinfra.quarkus.KafkaChannelPlumbingTest;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.PostgresTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "recur_api"))
@QuarkusTestResource(value = S3TestResource.class, initArgs = @ResourceArg(name = "buckets", value = "recur-results"))
class KafkaPlumbingQuarkusTest extends KafkaChannelPlumbingTest {
}
