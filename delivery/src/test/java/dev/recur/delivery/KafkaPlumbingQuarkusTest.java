package dev.recur.delivery;

import dev.recur.testinfra.quarkus.KafkaChannelPlumbingTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class KafkaPlumbingQuarkusTest extends KafkaChannelPlumbingTest {}
