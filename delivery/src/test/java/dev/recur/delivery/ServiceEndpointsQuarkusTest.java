package dev.recur.delivery;

import dev.recur.testinfra.quarkus.ServiceEndpointsTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class ServiceEndpointsQuarkusTest extends ServiceEndpointsTest {}
