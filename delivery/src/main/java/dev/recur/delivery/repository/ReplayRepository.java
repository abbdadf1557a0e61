package dev.recur.delivery.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

import dev.recur.common.event.DeliveryKind;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Dead-lettered deliveries and the replay commands received for them ({@code dead_delivery}, {@code delivery_replay}):
 * what makes a replay deliver once.
 */
@ApplicationScoped
public class ReplayRepository {

    private final DataSource dataSource;

    public ReplayRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Keeps a delivery that was just dead-lettered, replayable; a later dead letter of it replaces the earlier. */
    public void markDead(long jobId, DeliveryKind kind, String target, Instant at) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                INSERT INTO dead_delivery (job_id, kind, target, dead_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (job_id, kind) DO UPDATE SET target = EXCLUDED.target, dead_at = EXCLUDED.dead_at
                """)) {
            s.setLong(1, jobId);
            s.setString(2, kind.name());
            s.setString(3, target);
            s.setTimestamp(4, Timestamp.from(at));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("cannot keep a dead-lettered delivery", e);
        }
    }

    /**
     * Records a replay command; false if its id was received before (the same command delivered again). A concurrent
     * transaction recording the same id makes this one wait for it.
     */
    public boolean recordCommand(UUID replayId, long jobId, DeliveryKind kind, Instant at) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                INSERT INTO delivery_replay (replay_id, job_id, kind, received_at, replayed) VALUES (?, ?, ?, ?, false)
                ON CONFLICT (replay_id) DO NOTHING
                """)) {
            s.setObject(1, replayId);
            s.setLong(2, jobId);
            s.setString(3, kind.name());
            s.setTimestamp(4, Timestamp.from(at));
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new RepositoryException("cannot record a replay command", e);
        }
    }

    /**
     * Takes the delivery out of the dead ones if it is dead-lettered and its job belongs to {@code owner}: its real
     * target; empty if it is not (never dead-lettered, replayed already, or another owner's).
     */
    public Optional<String> takeDead(long jobId, DeliveryKind kind, String owner) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                DELETE FROM dead_delivery d USING job j
                WHERE d.job_id = ? AND d.kind = ? AND j.job_id = d.job_id AND j.owner = ?
                RETURNING d.target
                """)) {
            s.setLong(1, jobId);
            s.setString(2, kind.name());
            s.setString(3, owner);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new RepositoryException("cannot take a dead-lettered delivery", e);
        }
    }

    /**
     * Creates the delivery afresh (no attempts yet), due at {@code now} for the retrier; false if the job has a
     * pending delivery of that kind already.
     */
    public boolean insertDue(long jobId, DeliveryKind kind, String target, Instant now) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                INSERT INTO delivery (job_id, kind, target, next_attempt_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (job_id, kind) DO NOTHING
                """)) {
            s.setLong(1, jobId);
            s.setString(2, kind.name());
            s.setString(3, target);
            s.setTimestamp(4, Timestamp.from(now));
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new RepositoryException("cannot create a replayed delivery", e);
        }
    }

    public void markReplayed(UUID replayId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("UPDATE delivery_replay SET replayed = true WHERE replay_id = ?")) {
            s.setObject(1, replayId);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("cannot record a replay", e);
        }
    }
}
