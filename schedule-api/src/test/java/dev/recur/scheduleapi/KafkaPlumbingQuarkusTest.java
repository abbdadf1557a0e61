package dev.recur.scheduleapi;

import dev.recur.testinfra.quarkus.KafkaChannelPlumbingTest;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "recur_api"))
class KafkaPlumbingQuarkusTest extends KafkaChannelPlumbingTest {
}
