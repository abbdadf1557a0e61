package dev.recur.common.json;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for one event type. A null or empty value (a tombstone) reads as null. Kafka
 * configuration names a class, so each event has a subclass with a no-argument constructor.
 */
public class EventDeserializer<T> implements Deserializer<T> {

    private final Class<T> type;

    public EventDeserializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null || data.length == 0 ? null : EventJson.read(data, type);
    }
}
