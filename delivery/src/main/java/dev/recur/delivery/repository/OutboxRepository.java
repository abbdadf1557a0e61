package dev.recur.delivery.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/** Events written in the transaction of their cause, until the relay has published them. */
@ApplicationScoped
public class OutboxRepository {

    // any constant: one relay at a time keeps a schedule's stats snapshots in commit order
    private static final long RELAY_LOCK = 0x7265637572L;

    private final DataSource dataSource;

    OutboxRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record OutboxEvent(long id, String topic, String key, byte[] payload) {
    }

    public void add(List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("INSERT INTO outbox (topic, record_key, payload) VALUES (?, ?, ?)")) {
            for (OutboxEvent e : events) {
                s.setString(1, e.topic());
                s.setString(2, e.key());
                s.setBytes(3, e.payload());
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new RepositoryException("cannot write the outbox", e);
        }
    }

    /**
     * The oldest events, if this transaction got the relay lock (held until it ends); empty when another
     * relay holds it.
     */
    public List<OutboxEvent> lockOldest(int limit) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                s.setLong(1, RELAY_LOCK);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (!r.getBoolean(1)) {
                        return List.of();
                    }
                }
            }
            List<OutboxEvent> events = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, topic, record_key, payload FROM outbox ORDER BY id LIMIT ?")) {
                s.setInt(1, limit);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        events.add(new OutboxEvent(r.getLong(1), r.getString(2), r.getString(3), r.getBytes(4)));
                    }
                }
            }
            return events;
        } catch (SQLException e) {
            throw new RepositoryException("cannot read the outbox", e);
        }
    }

    public void delete(Collection<Long> ids) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("DELETE FROM outbox WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("cannot delete from the outbox", e);
        }
    }
}
