package dev.recur.testinfra.quarkus;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;

import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.Test;

/**
 * The operational endpoints every Recur service serves, on its management port (health, metrics) and not on its
 * HTTP port; a module extends it with {@code @QuarkusTest}.
 */
public abstract class ServiceEndpointsTest {

    /** The management interface's root, {@code http://localhost:<quarkus.management.test-port>/q/}. */
    @TestHTTPResource(value = "/", management = true)
    protected URL management;

    /** A URL of the management interface: {@code management("metrics")} is {@code /q/metrics} there. */
    protected String management(String path) {
        return management.toString() + path;
    }

    @Test
    void shouldReportUpWhenInfrastructureIsReachable() {
        given().when().get(management("health/ready")).then().statusCode(200).body("status", equalTo("UP"));
        given().when().get(management("health/live")).then().statusCode(200).body("status", equalTo("UP"));
        given().when().get(management("health/started")).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void shouldExposePrometheusMetrics() {
        given().when().get(management("metrics")).then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    /** What an ingress in front of the HTTP port could route to: neither health nor metrics. */
    @Test
    void shouldServeNeitherHealthNorMetricsOnTheHttpPort() {
        for (String path : new String[] {"/q/health", "/q/health/ready", "/q/metrics"}) {
            given().when().get(path).then().statusCode(404);
        }
    }
}
