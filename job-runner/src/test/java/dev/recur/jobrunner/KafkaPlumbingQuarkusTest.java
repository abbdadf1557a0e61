package dev.recur.jobrunner;

import dev.recur.testinfra.quarkus.KafkaChannelPlumbingTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(JobRunnerTestResources.class)
class KafkaPlumbingQuarkusTest extends KafkaChannelPlumbingTest {}
