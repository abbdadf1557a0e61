package dev.recur.ticker;

import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.ServiceEndpointsTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
class ServiceEndpointsQuarkusTest extends ServiceEndpointsTest {}
