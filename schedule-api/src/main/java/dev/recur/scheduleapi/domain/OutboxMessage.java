package dev.recur.scheduleapi.domain;

import dev.recur.common.trace.Tracing;
import io.quarkus.arc.Arc;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;

/**
 * A Kafka record waiting to be published by the relay; a null payload is a tombstone. With tracing on it keeps the
 * trace context of the request that wrote it, which the relay sends as the record's {@code traceparent}.
 */
@Entity
@Table(name = "outbox")
public class OutboxMessage {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String topic;

    @Column(name = "message_key", nullable = false)
    public String messageKey;

    public byte[] payload;

    @Column(name = "trace_parent")
    public String traceParent;

    public static OutboxMessage of(String topic, String key, byte[] payload) {
        OutboxMessage message = new OutboxMessage();
        message.topic = topic;
        message.messageKey = key;
        message.payload = payload;
        return message;
    }

    @PrePersist
    void keepTraceContext() {
        if (traceParent == null) {
            traceParent = Arc.container().instance(Tracing.class).get().currentTraceparent();
        }
    }
}
