package dev.recur.scheduleapi.repository;

import static dev.recur.scheduleapi.repository.ReactivePgClient.databaseFailure;
import static dev.recur.scheduleapi.repository.ReactivePgClient.instant;

import dev.recur.scheduleapi.domain.Schedule;
import io.smallrye.mutiny.Uni;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The statements of the API's two most frequent requests, {@code GET /v1/schedules/{id}} and
 * {@code POST /v1/schedules} (through {@link GroupCommitCreates}), and a cached login's check, on the non-blocking
 * PostgreSQL client ({@link ReactivePgClient}), so that they are served on the HTTP event loop.
 */
@ApplicationScoped
public class ReactiveScheduleRepository {

    /** The schedule without its items (which may be megabytes) and its statistics as the stored JSON text. */
    private static final String DETAIL = """
            SELECT s.active, s.items_count, s.cron, s.timezone, s.start_time, s.end_time, s.created_at, st.stats::text
            FROM schedule s LEFT JOIN schedule_stats st ON st.schedule_id = s.id
            WHERE s.id = $1 AND s.owner_id = $2""";

    /** A cached login's check (UserService): the user exists, is enabled and has the same credentials version. */
    private static final String CREDENTIALS_CURRENT = """
            SELECT 1 FROM app_user WHERE id = $1 AND credentials_version = $2 AND enabled""";

    @Inject
    ReactivePgClient pg;

    @Inject
    GroupCommitCreates creates;

    /** A schedule without its items, and the JSON of its statistics (null until delivery has reported any). */
    public record WithStats(Schedule schedule, String stats) {}

    /**
     * The schedule and its statistics if it exists and belongs to user {@code owner} (another user's schedule is as
     * absent as an unknown one): a null item when not. Completes on the caller's event loop.
     */
    public Uni<WithStats> findOwnedWithStats(long id, long owner) {
        return Uni.createFrom()
                .emitter(emitter -> pg.client()
                        .preparedQuery(DETAIL)
                        .execute(Tuple.of(id, owner))
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
     * Whether user {@code userId} exists, is enabled and has credentials version {@code version}: the check of a
     * cached login, on this client so that it runs on the HTTP event loop. Completes on the caller's event loop.
     */
    public Uni<Boolean> credentialsCurrent(long userId, long version) {
        return Uni.createFrom()
                .emitter(emitter -> pg.client()
                        .preparedQuery(CREDENTIALS_CURRENT)
                        .execute(Tuple.of(userId, version))
                        .onComplete(result -> {
                            if (result.failed()) {
                                emitter.fail(databaseFailure(
                                        "cannot check the credentials of user " + userId, result.cause()));
                            } else {
                                emitter.complete(result.result().size() == 1);
                            }
                        }));
    }

    /**
     * A new schedule with its snapshot in the outbox, within its owner's quota ({@link GroupCommitCreates}).
     *
     * @return false, having written nothing, when the owner already has the most active schedules allowed
     */
    public Uni<Boolean> createWithinQuota(Schedule s, byte[] snapshot) {
        return creates.createWithinQuota(s, snapshot);
    }

    private static WithStats withStats(long id, long owner, RowSet<Row> rows) {
        if (rows.size() == 0) {
            return null;
        }
        Row row = rows.iterator().next();
        Schedule s = new Schedule();
        s.id = id;
        s.ownerId = owner;
        s.active = row.getBoolean(0);
        s.itemsCount = row.getInteger(1);
        s.cron = row.getString(2);
        s.timezone = row.getString(3);
        s.startTime = instant(row.getOffsetDateTime(4));
        s.endTime = instant(row.getOffsetDateTime(5));
        s.createdAt = instant(row.getOffsetDateTime(6));
        return new WithStats(s, row.getString(7));
    }
}
