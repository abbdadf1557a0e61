package dev.recur.scheduleapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.recur.scheduleapi.config.MetricsFilters;
import dev.recur.testinfra.quarkus.ServiceEndpointsTest;
import io.micrometer.core.instrument.Metrics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.VertxMetrics;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class ServiceEndpointsQuarkusTest extends ServiceEndpointsTest {

    @Inject
    Vertx vertx;

    /** The group-commit metrics that docs/operations.md names, after a create has gone through. */
    @Test
    void shouldExposeCreateStatementMetricsWhenAScheduleIsCreated() {
        Api.createSchedule(Api.newUser());
        given().when()
                .get(management("metrics"))
                .then()
                .statusCode(200)
                .body(containsString("recur_schedule_api_create_statement_duration_seconds_count"))
                .body(containsString("recur_schedule_api_create_statement_creates_count"));
    }

    /**
     * The non-blocking PostgreSQL client's pool is measured as a pool, without per-connection gauges. Vert.x asks the
     * metrics SPI for the client's metrics on every new connection (as this test does for two more), and Quarkus
     * registered the same two gauges each time: Micrometer kept the first connection's and logged "This Gauge has
     * been already registered" at the second.
     */
    @Test
    void shouldMeasureTheReactivePoolWithoutPerConnectionGaugesWhenConnectionsOpen() {
        Api.createSchedule(Api.newUser());
        VertxMetrics metrics = ((VertxInternal) vertx).metricsSPI();
        SocketAddress server = SocketAddress.inetSocketAddress(5432, "localhost");
        metrics.createClientMetrics(server, "sql", MetricsFilters.REACTIVE_CLIENT);
        metrics.createClientMetrics(server, "sql", MetricsFilters.REACTIVE_CLIENT);
        given().when()
                .get(management("metrics"))
                .then()
                .statusCode(200)
                .body(containsString("sql_pool_active{pool_name=\"recur-schedule-api-reactive\""))
                .body(containsString("recur_schedule_api_reactive_processing_seconds_count"));
        // Vert.x's metrics register on the global registry
        assertThat(Metrics.globalRegistry
                        .find("recur-schedule-api-reactive.processing")
                        .timer())
                .isNotNull();
        assertThat(Metrics.globalRegistry
                        .find("recur-schedule-api-reactive.queue.size")
                        .gauge())
                .isNull();
        assertThat(Metrics.globalRegistry
                        .find("recur-schedule-api-reactive.current")
                        .gauge())
                .isNull();
    }
}
