package dev.recur.delivery.messaging;

import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.recur.common.kafka.KafkaClients;

/**
 * The producer of the outbox relay. A plain client rather than a SmallRye emitter: the outbox rows are
 * already serialized, and the relay needs to wait for a whole batch's acknowledgements before it
 * deletes the rows.
 */
@ApplicationScoped
public class EventProducer {

    private final Producer<String, byte[]> producer;

    EventProducer(KafkaClients kafka) {
        producer = kafka.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.CLIENT_ID_CONFIG, "recur-delivery-outbox"),
                new StringSerializer(), new ByteArraySerializer());
    }

    public Producer<String, byte[]> producer() {
        return producer;
    }

    @PreDestroy
    void close() {
        producer.close();
    }
}
