package dev.recur.common.json;

import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer for any event; a null event becomes a null value, i.e. a tombstone. */
public class EventSerializer<T> implements Serializer<T> {

    @Override
    public byte[] serialize(String topic, T event) {
        return event == null ? null : EventJson.write(event);
    }
}
