package dev.recur.scheduleapi.repository;

import dev.recur.scheduleapi.domain.OutboxMessage;
import dev.recur.scheduleapi.messaging.OutboxWritten;
import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

/** Writes outbox rows inside the caller's transaction; {@code OutboxRelay} reads and marks them. */
@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxMessage> {

    @Inject
    Event<OutboxWritten> outboxWritten;

    /**
     * Writes a message to the outbox in the caller's transaction and tells the relay, which publishes it once the
     * transaction commits.
     */
    public void write(String topic, String key, byte[] payload) {
        persist(OutboxMessage.of(topic, key, payload));
        outboxWritten.fire(new OutboxWritten());
    }
}
