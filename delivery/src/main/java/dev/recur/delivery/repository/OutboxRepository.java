package dev.recur.delivery.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

/** Events written in the transaction of their cause, until the relay ({@code OutboxRelay}) has published them. */
@ApplicationScoped
public class OutboxRepository {

    private final DataSource dataSource;

    OutboxRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public record OutboxEvent(long id, String topic, String key, byte[] payload) {}

    public void add(List<OutboxEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("INSERT INTO outbox (topic, message_key, payload) VALUES (?, ?, ?)")) {
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
}
