package dev.recur.scheduleapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(ScheduleApiTestResources.class)
class FlywayPostgresQuarkusTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void shouldApplyMigrationsToRealPostgresWhenServiceStarts() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement()) {
            try (ResultSet rs =
                    s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success AND version = '1'")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('public.outbox') IS NOT NULL, version()")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getString(2)).startsWith("PostgreSQL");
            }
        }
    }
}
