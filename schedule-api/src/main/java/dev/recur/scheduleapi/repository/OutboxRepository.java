package dev.recur.scheduleapi.repository;

import dev.recur.scheduleapi.domain.OutboxMessage;
import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes outbox rows inside the caller's transaction; {@code OutboxRelay} reads and marks them. */
@ApplicationScoped
public class OutboxRepository implements PanacheRepository<OutboxMessage> {}
