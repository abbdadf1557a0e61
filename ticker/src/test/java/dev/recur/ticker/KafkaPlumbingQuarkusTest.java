package dev.recur.ticker;

import dev.recur.testinfra.quarkus.KafkaChannelPlumbingTest;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class KafkaPlumbingQuarkusTest extends KafkaChannelPlumbingTest {}
