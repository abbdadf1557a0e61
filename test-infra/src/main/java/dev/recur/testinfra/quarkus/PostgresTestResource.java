package dev.recur.testinfra.quarkus;

import java.util.Map;

import dev.recur.testinfra.Infra;
import dev.recur.testinfra.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a Quarkus test at a database of the JVM's shared real PostgreSQL server. Init argument
 * {@code database} names it (default {@code recur}).
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private String database = "recur";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        PostgresServer postgres = Infra.postgres();
        postgres.createDatabase(database);
        return Map.of(
                "quarkus.datasource.jdbc.url", postgres.jdbcUrl(database),
                "quarkus.datasource.username", postgres.username(),
                "quarkus.datasource.password", postgres.password());
    }

    @Override
    public void stop() {
        // shared by every test of this JVM; stopped when the JVM exits
    }
}
