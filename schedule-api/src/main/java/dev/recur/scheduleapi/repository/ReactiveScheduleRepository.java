package dev.recur.scheduleapi.repository;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.domain.Schedule;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * The statements of the API's two most frequent requests, {@code GET /v1/schedules/{id}} and
 * {@code POST /v1/schedules}, on the non-blocking PostgreSQL client, so that both are served on the HTTP event loop:
 * no hand-off to a worker thread and back, no JDBC pool. A client of its own beside the JDBC datasource (which
 * Hibernate, Flyway and every other statement keep using), configured from the same {@code quarkus.datasource.*}
 * settings, so that deployments set the database once ({@code DB_URL}).
 */
@ApplicationScoped
public class ReactiveScheduleRepository {

    /**
     * The quota reservation, the schedule and its outbox row as one statement: the inserts take their rows from the
     * quota update, so over the quota nothing is written, and the statement is its own transaction. The casts give
     * the parameters their types (this client lets the server infer them, and a select list infers text).
     */
    private static final String CREATE = """
            WITH quota AS (
                UPDATE app_user SET active_schedules = active_schedules + 1
                WHERE username = $1 AND active_schedules < $2
                RETURNING username),
            created AS (
                INSERT INTO schedule (id, owner, cron, timezone, items, items_count, start_time, end_time, active,
                                      catch_up, overlap, jitter_seconds, revision, created_at, updated_at)
                SELECT $3::bigint, username, $4::text, $5::text, $6::text::jsonb, $7::integer, $8::timestamptz,
                       $9::timestamptz, $10::boolean, $11::text, $12::text, $13::integer, $14::bigint,
                       $15::timestamptz, $16::timestamptz
                FROM quota
                RETURNING id)
            INSERT INTO outbox (topic, message_key, payload) SELECT $17::text, $18::text, $19::bytea FROM created""";

    /** The schedule without its items (which may be megabytes) and its statistics as the stored JSON text. */
    private static final String DETAIL = """
            SELECT s.active, s.items_count, s.cron, s.timezone, s.start_time, s.end_time, s.created_at, st.stats::text
            FROM schedule s LEFT JOIN schedule_stats st ON st.schedule_id = s.id
            WHERE s.id = $1 AND s.owner = $2""";

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
     * instead of one per round trip. With 32 concurrent requests: reads 0.043 instead of 0.059 ms of PostgreSQL's CPU
     * and 0.066 instead of 0.079 ms of the service's per GET; creates 0.135 instead of 0.188 ms of PostgreSQL's CPU
     * (docs/performance-schedule-api.md). Each statement has its own Sync, i.e. is its own implicit transaction: one
     * that fails (a constraint, the quota) does not touch the others in the pipeline.
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
        connect.setMetricsName("recur-schedule-api-reactive");
        PoolOptions options = new PoolOptions()
                .setName("recur-schedule-api-reactive")
                .setMaxSize(config.reactivePoolSize())
                // no timer on the wait for a pooled connection: Vert.x 4.5.27's fires even after a failed connection
                // attempt has failed the waiting request, and logs "Result is already complete" as an uncaught error
                // on every database outage. A query holds a connection for one round trip; attempts are bounded above.
                .setConnectionTimeout(0);
        client = PgBuilder.client().with(options).connectingTo(connect).using(vertx).build();
    }

    void stop(@Observes ShutdownEvent event) {
        if (client != null) {
            client.close();
        }
    }

    /** A schedule without its items, and the JSON of its statistics (null until delivery has reported any). */
    public record WithStats(Schedule schedule, String stats) {
    }

    /**
     * The schedule and its statistics if it exists and belongs to {@code owner} (another user's schedule is as absent
     * as an unknown one): a null item when not. Completes on the caller's event loop.
     */
    public Uni<WithStats> findOwnedWithStats(long id, String owner) {
        return Uni.createFrom().emitter(emitter -> client.preparedQuery(DETAIL).execute(Tuple.of(id, owner))
                .onComplete(result -> {
                    if (result.failed()) {
                        emitter.fail(databaseFailure("cannot read schedule " + id, result.cause()));
                        return;
                    }
                    WithStats found;
                    try {
                        found = withStats(id, owner, result.result());
                    } catch (RuntimeException e) {
                        emitter.fail(e);
                        return;
                    }
                    emitter.complete(found);
                }));
    }

    /**
     * A new schedule with its snapshot in the outbox, counted against its owner's quota of active schedules, in one
     * round trip and one commit.
     *
     * @return false, having written nothing, when the owner already has {@code maxActive} active schedules
     */
    public Uni<Boolean> createWithinQuota(Schedule s, int maxActive, String topic, String key, byte[] snapshot) {
        // wrap: the array as it is (start_time may be null)
        Tuple parameters = Tuple.wrap(new Object[] {s.owner, maxActive, s.id, s.cron, s.timezone, s.items,
                s.itemsCount, timestamp(s.startTime), timestamp(s.endTime), s.active, s.catchUp.name(), s.overlap.name(),
                s.jitterSeconds, s.revision, timestamp(s.createdAt), timestamp(s.updatedAt), topic, key,
                Buffer.buffer(snapshot)});
        return Uni.createFrom().emitter(emitter -> client.preparedQuery(CREATE).execute(parameters)
                .onComplete(result -> {
                    if (result.failed()) {
                        emitter.fail(databaseFailure("cannot create schedule " + s.id, result.cause()));
                    } else {
                        emitter.complete(result.result().rowCount() == 1);
                    }
                }));
    }

    private static WithStats withStats(long id, String owner, RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row row = rows.iterator().next();
        Schedule s = new Schedule();
        s.id = id;
        s.owner = owner;
        s.active = row.getBoolean(0);
        s.itemsCount = row.getInteger(1);
        s.cron = row.getString(2);
        s.timezone = row.getString(3);
        s.startTime = instant(row.getOffsetDateTime(4));
        s.endTime = instant(row.getOffsetDateTime(5));
        s.createdAt = instant(row.getOffsetDateTime(6));
        return new WithStats(s, row.getString(7));
    }

    /**
     * The failure as the JDBC path would report it, for the same status and error body: PostgreSQL's own errors
     * keep their SQLSTATE (a server shutting down is 57P01, a 503); anything else the pool reports (connection
     * refused, lost or not made within the connect timeout) means the database cannot be reached.
     */
    private static SQLException databaseFailure(String what, Throwable cause) {
        if (cause instanceof PgException pg) {
            return new SQLException(what + ": " + pg.getErrorMessage(), pg.getSqlState(), pg);
        }
        return new SQLTransientConnectionException(what + ": " + cause.getMessage(), "08006", cause);
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
