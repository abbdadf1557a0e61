package dev.recur.scheduleapi.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;

import dev.recur.scheduleapi.domain.Schedule;
import io.agroal.api.AgroalDataSource;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;

@ApplicationScoped
public class ScheduleRepository implements PanacheRepositoryBase<Schedule, Long> {

    /**
     * The quota reservation, the schedule and its outbox row as one statement: the inserts take their rows from
     * the quota update, so over the quota nothing is written, and the statement is its own transaction.
     */
    private static final String CREATE = """
            WITH quota AS (
                UPDATE app_user SET active_schedules = active_schedules + 1
                WHERE username = ? AND active_schedules < ?
                RETURNING username),
            created AS (
                INSERT INTO schedule (id, owner, cron, timezone, items, items_count, start_time, end_time, active,
                                      catch_up, overlap, jitter_seconds, revision, created_at, updated_at)
                SELECT ?, username, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM quota
                RETURNING id)
            INSERT INTO outbox (topic, message_key, payload) SELECT ?, ?, ? FROM created""";

    @Inject
    AgroalDataSource dataSource;

    /** The schedule if it exists and belongs to {@code owner}; another user's schedule is as absent as an unknown one. */
    public Optional<Schedule> findOwned(long id, String owner) {
        return find("id = :id and owner = :owner", Parameters.with("id", id).and("owner", owner))
                .firstResultOptional();
    }

    /** What {@code GET /v1/schedules/{id}} shows: the schedule without its items, and its statistics' JSON. */
    private static final String DETAIL = """
            SELECT s.active, s.items_count, s.cron, s.timezone, s.start_time, s.end_time, s.created_at, st.stats
            FROM schedule s LEFT JOIN schedule_stats st ON st.schedule_id = s.id
            WHERE s.id = ? AND s.owner = ?""";

    /**
     * A schedule with the JSON of its statistics (null until delivery has reported any). {@code schedule} is
     * a detached copy without {@code items}, which may be megabytes and which the response does not show.
     */
    public record WithStats(Schedule schedule, String stats) {
    }

    /**
     * {@link #findOwned} and the schedule's statistics in one statement, outside any transaction and the
     * persistence context: the API's most frequent request, which reads one row and changes nothing.
     */
    public Optional<WithStats> findOwnedWithStats(long id, String owner) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(DETAIL)) {
            select.setLong(1, id);
            select.setString(2, owner);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                Schedule s = new Schedule();
                s.id = id;
                s.owner = owner;
                s.active = row.getBoolean(1);
                s.itemsCount = row.getInt(2);
                s.cron = row.getString(3);
                s.timezone = row.getString(4);
                s.startTime = instant(row.getObject(5, OffsetDateTime.class));
                s.endTime = instant(row.getObject(6, OffsetDateTime.class));
                s.createdAt = instant(row.getObject(7, OffsetDateTime.class));
                return Optional.of(new WithStats(s, row.getString(8)));
            }
        } catch (SQLException e) {
            throw new PersistenceException("cannot read schedule " + id, e);
        }
    }

    /**
     * As {@link #findOwned}, locked until the transaction ends: changes of one schedule take turns, so each
     * reads the revision the previous one wrote and their outbox rows are numbered in commit order.
     */
    public Optional<Schedule> findOwnedForUpdate(long id, String owner) {
        return find("id = :id and owner = :owner", Parameters.with("id", id).and("owner", owner))
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    /**
     * A new schedule with its snapshot in the outbox, counted against its owner's quota of active schedules, in
     * one round trip and one commit; a create is the API's hottest write.
     *
     * @return false, having written nothing, when the owner already has {@code maxActive} active schedules
     */
    public boolean createWithinQuota(Schedule s, int maxActive, String topic, String key, byte[] snapshot) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(CREATE)) {
            int i = 0;
            insert.setString(++i, s.owner);
            insert.setInt(++i, maxActive);
            insert.setLong(++i, s.id);
            insert.setString(++i, s.cron);
            insert.setString(++i, s.timezone);
            insert.setString(++i, s.items);
            insert.setInt(++i, s.itemsCount);
            insert.setObject(++i, timestamp(s.startTime), Types.TIMESTAMP_WITH_TIMEZONE);
            insert.setObject(++i, timestamp(s.endTime), Types.TIMESTAMP_WITH_TIMEZONE);
            insert.setBoolean(++i, s.active);
            insert.setString(++i, s.catchUp.name());
            insert.setString(++i, s.overlap.name());
            insert.setInt(++i, s.jitterSeconds);
            insert.setLong(++i, s.revision);
            insert.setObject(++i, timestamp(s.createdAt), Types.TIMESTAMP_WITH_TIMEZONE);
            insert.setObject(++i, timestamp(s.updatedAt), Types.TIMESTAMP_WITH_TIMEZONE);
            insert.setString(++i, topic);
            insert.setString(++i, key);
            insert.setBytes(++i, snapshot);
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new PersistenceException("cannot create schedule " + s.id, e);
        }
    }

    /** The owner's schedule ids in ascending order after {@code afterId}, optionally only active or inactive ones. */
    public List<Long> idsOf(String owner, Boolean active, long afterId, int limit) {
        String query = "select s.id from Schedule s where s.owner = :owner and s.id > :after"
                + (active == null ? "" : " and s.active = :active") + " order by s.id";
        var typed = getEntityManager().createQuery(query, Long.class)
                .setParameter("owner", owner)
                .setParameter("after", afterId)
                .setMaxResults(limit);
        if (active != null) {
            typed.setParameter("active", active);
        }
        return typed.getResultList();
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
