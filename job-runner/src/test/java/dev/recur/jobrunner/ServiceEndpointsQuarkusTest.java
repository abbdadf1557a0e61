package dev.recur.jobrunner;

import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;
import dev.recur.testinfra.quarkus.ServiceEndpointsTest;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = S3TestResource.class, initArgs = @ResourceArg(name = "buckets", value = "recur-results"))
@QuarkusTestResource(ScraperWireMockResource.class)
class ServiceEndpointsQuarkusTest extends ServiceEndpointsTest {
}
