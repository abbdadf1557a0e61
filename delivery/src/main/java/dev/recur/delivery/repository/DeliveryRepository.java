package dev.recur.delivery.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;

import dev.recur.common.event.DeliveryKind;
import dev.recur.delivery.domain.LeaseHolder;
import dev.recur.delivery.domain.PendingDelivery;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Deliveries not done yet: an outbox of deliveries, picked by the retrier with {@code FOR UPDATE SKIP LOCKED}.
 * {@code next_attempt_at} is also the lease of an attempt taken by a process ({@link LeaseHolder}): it is due again
 * when its holder stops renewing it.
 */
@ApplicationScoped
public class DeliveryRepository {

    private final DataSource dataSource;

    public DeliveryRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A delivery to create. */
    public record NewDelivery(long jobId, DeliveryKind kind, String target) {}

    /** Creates deliveries whose first attempt {@code holder} leases until {@code leasedUntil}. */
    public List<PendingDelivery> insert(List<NewDelivery> deliveries, Instant leasedUntil, LeaseHolder holder) {
        if (deliveries.isEmpty()) {
            return List.of();
        }
        Long[] jobIds = deliveries.stream().map(NewDelivery::jobId).toArray(Long[]::new);
        String[] kinds = deliveries.stream().map(d -> d.kind().name()).toArray(String[]::new);
        String[] targets = deliveries.stream().map(NewDelivery::target).toArray(String[]::new);
        String sql = """
                INSERT INTO delivery (job_id, kind, target, next_attempt_at, lease_owner, lease_token)
                SELECT j, k, t, ?, ?, ? FROM unnest(?::bigint[], ?::text[], ?::text[]) AS d(j, k, t)
                RETURNING id, job_id, kind, target
                """;
        List<PendingDelivery> created = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setTimestamp(1, Timestamp.from(leasedUntil));
            s.setString(2, holder.owner().orElse(null));
            s.setObject(3, holder.token());
            s.setArray(4, c.createArrayOf("bigint", jobIds));
            s.setArray(5, c.createArrayOf("text", kinds));
            s.setArray(6, c.createArrayOf("text", targets));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    created.add(new PendingDelivery(
                            r.getLong(1), r.getLong(2), DeliveryKind.valueOf(r.getString(3)), r.getString(4), 0, null));
                }
            }
            return created;
        } catch (SQLException e) {
            throw new RepositoryException("cannot create deliveries", e);
        }
    }

    /**
     * Leases up to {@code limit} due deliveries to {@code holder} until {@code leasedUntil}: those waiting for a
     * retry, and those whose holder stopped renewing its lease; rows other instances are changing are skipped.
     */
    public List<PendingDelivery> claimDue(Instant now, Instant leasedUntil, int limit, LeaseHolder holder) {
        String sql = """
                UPDATE delivery d SET next_attempt_at = ?, lease_owner = ?, lease_token = ?
                FROM (SELECT id FROM delivery WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?
                      FOR UPDATE SKIP LOCKED) due
                WHERE d.id = due.id
                RETURNING d.id, d.job_id, d.kind, d.target, d.attempts, d.first_attempt_at
                """;
        List<PendingDelivery> claimed = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setTimestamp(1, Timestamp.from(leasedUntil));
            s.setString(2, holder.owner().orElse(null));
            s.setObject(3, holder.token());
            s.setTimestamp(4, Timestamp.from(now));
            s.setInt(5, limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    Timestamp first = r.getTimestamp(6);
                    claimed.add(new PendingDelivery(
                            r.getLong(1),
                            r.getLong(2),
                            DeliveryKind.valueOf(r.getString(3)),
                            r.getString(4),
                            r.getInt(5),
                            first == null ? null : first.toInstant()));
                }
            }
            return claimed;
        } catch (SQLException e) {
            throw new RepositoryException("cannot claim due deliveries", e);
        }
    }

    /**
     * Extends, in one statement, the leases that {@code holder} still holds among {@code ids} until {@code leasedUntil}
     * (a row another process took after this one's lease ran out stays with it).
     *
     * @return the leases extended
     */
    public int renew(Collection<Long> ids, LeaseHolder holder, Instant leasedUntil) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "UPDATE delivery SET next_attempt_at = ? WHERE id = ANY (?) AND lease_token = ?")) {
            s.setTimestamp(1, Timestamp.from(leasedUntil));
            s.setArray(2, c.createArrayOf("bigint", ids.toArray()));
            s.setObject(3, holder.token());
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("cannot renew delivery leases", e);
        }
    }

    /**
     * Makes due at {@code now} the deliveries leased by earlier processes of {@code holder}'s instance: they died
     * with those attempts in flight or waiting in memory. Nothing without an instance id.
     *
     * @return the deliveries taken back
     */
    public int reclaim(LeaseHolder holder, Instant now) {
        if (holder.owner().isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                UPDATE delivery SET next_attempt_at = ?, lease_owner = NULL, lease_token = NULL
                WHERE lease_owner = ? AND lease_token <> ?
                """)) {
            s.setTimestamp(1, Timestamp.from(now));
            s.setString(2, holder.owner().get());
            s.setObject(3, holder.token());
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("cannot take back deliveries", e);
        }
    }

    public void delete(Collection<Long> ids) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("DELETE FROM delivery WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("cannot delete deliveries", e);
        }
    }

    public void reschedule(
            long id, int attempts, Instant firstAttemptAt, Instant nextAttemptAt, Integer statusCode, String error) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                UPDATE delivery SET attempts = ?, first_attempt_at = ?, next_attempt_at = ?, last_status_code = ?,
                                    last_error = ?, lease_owner = NULL, lease_token = NULL
                WHERE id = ?
                """)) {
            s.setInt(1, attempts);
            s.setTimestamp(2, Timestamp.from(firstAttemptAt));
            s.setTimestamp(3, Timestamp.from(nextAttemptAt));
            s.setObject(4, statusCode, Types.INTEGER);
            s.setString(5, error);
            s.setLong(6, id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("cannot reschedule a delivery", e);
        }
    }

    public long countPending() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM delivery");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new RepositoryException("cannot count deliveries", e);
        }
    }
}
