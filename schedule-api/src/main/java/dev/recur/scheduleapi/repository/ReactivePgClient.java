package dev.recur.scheduleapi.repository;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import dev.recur.scheduleapi.config.MetricsFilters;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The non-blocking PostgreSQL client of the API's most frequent requests ({@link ReactiveScheduleRepository},
 * {@link GroupCommitCreates}), so that they are served on the HTTP event loop: no hand-off to a worker thread and
 * back, no JDBC pool. A client of its own beside the JDBC datasource (which Hibernate, Flyway and every other
 * statement keep using), configured from the same {@code quarkus.datasource.*} settings, so that deployments set the
 * database once ({@code DB_URL}).
 */
@ApplicationScoped
public class ReactivePgClient {

    @Inject
    Vertx vertx;

    @Inject
    ScheduleApiConfig config;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    // the JDBC pool's bound on a new connection applies here too: with the database away, a connection attempt
    // fails within it and the waiting request is a 503 (DatabaseDownQuarkusTest)
    @ConfigProperty(name = "quarkus.datasource.jdbc.login-timeout", defaultValue = "2S")
    Duration connectTimeout;

    /**
     * Pipelined: a connection carries many statements at once, so a backend answers a batch of them per wake-up
     * instead of one per round trip. With 32 concurrent requests, against one statement per connection at a time:
     * reads 0.043 against 0.059 ms of PostgreSQL's CPU and 0.066 against 0.079 ms of the service's per GET; creates
     * 0.135 against 0.188 ms of PostgreSQL's CPU (docs/history/performance-schedule-api.md). Each statement has its
     * own Sync, i.e. is its own implicit transaction: one that fails (a constraint, the quota) does not touch the
     * others in the pipeline.
     */
    private SqlClient client;

    void start(@Observes StartupEvent event) {
        if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalStateException("quarkus.datasource.jdbc.url must be a jdbc:postgresql:// URL: " + jdbcUrl);
        }
        PgConnectOptions connect = PgConnectOptions.fromUri(jdbcUrl.substring("jdbc:".length()))
                // each statement parsed and planned once per connection (as pgjdbc does after 5 executions)
                .setCachePreparedStatements(true);
        username.ifPresent(connect::setUser);
        password.ifPresent(connect::setPassword);
        connect.setConnectTimeout((int) connectTimeout.toMillis());
        connect.setMetricsName(MetricsFilters.REACTIVE_CLIENT);
        PoolOptions options = new PoolOptions()
                .setName(MetricsFilters.REACTIVE_CLIENT)
                .setMaxSize(config.reactivePoolSize())
                // no timer on the wait for a pooled connection: Vert.x 4.5.27's fires even after a failed connection
                // attempt has failed the waiting request, and logs "Result is already complete" as an uncaught error
                // on every database outage. A query holds a connection for one round trip; attempts are bounded above.
                .setConnectionTimeout(0);
        client = PgBuilder.client()
                .with(options)
                .connectingTo(connect)
                .using(vertx)
                .build();
    }

    void stop(@Observes ShutdownEvent event) {
        if (client != null) {
            client.close();
        }
    }

    /** The client, built at start-up. */
    SqlClient client() {
        return client;
    }

    /**
     * The failure as the JDBC path would report it, for the same status and error body: PostgreSQL's own errors
     * keep their SQLSTATE (a server shutting down is 57P01, a 503); anything else the pool reports (connection
     * refused, lost or not made within the connect timeout) means the database cannot be reached.
     */
    static SQLException databaseFailure(String what, Throwable cause) {
        if (cause instanceof PgException pg) {
            return new SQLException(what + ": " + pg.getErrorMessage(), pg.getSqlState(), pg);
        }
        return new SQLTransientConnectionException(what + ": " + cause.getMessage(), "08006", cause);
    }

    static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(OffsetDateTime timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
