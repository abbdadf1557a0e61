package dev.recur.scheduleapi;

import dev.recur.testinfra.quarkus.KafkaChannelPlumbingTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class KafkaPlumbingQuarkusTest extends KafkaChannelPlumbingTest {}
