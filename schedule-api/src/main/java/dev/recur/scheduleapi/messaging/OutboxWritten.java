package dev.recur.scheduleapi.messaging;

/** Fired in a transaction that wrote outbox rows, so that the relay publishes them as soon as it commits. */
public record OutboxWritten() {}
