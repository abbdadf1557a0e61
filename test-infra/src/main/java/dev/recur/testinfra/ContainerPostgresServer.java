package dev.recur.testinfra;

import org.testcontainers.postgresql.PostgreSQLContainer;

/** PostgreSQL 17 from its image, where a Docker engine runs. */
final class ContainerPostgresServer extends ContainerServer<PostgreSQLContainer> implements PostgresServer {

    ContainerPostgresServer() {
        super(new PostgreSQLContainer("postgres:17-alpine")
                .withUsername("postgres")
                .withPassword("postgres")
                .withDatabaseName("postgres"));
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(5432);
    }

    @Override
    public String username() {
        return container.getUsername();
    }

    @Override
    public String password() {
        return container.getPassword();
    }
}
