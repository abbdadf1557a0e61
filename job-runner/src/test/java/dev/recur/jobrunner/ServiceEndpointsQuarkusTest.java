package dev.recur.jobrunner;

import dev.recur.testinfra.quarkus.ServiceEndpointsTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(JobRunnerTestResources.class)
class ServiceEndpointsQuarkusTest extends ServiceEndpointsTest {}
