package dev.recur.system;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every message of one topic as an outside consumer sees it (committed transactions only, from the beginning),
 * recorded by a daemon thread until {@link #close()}.
 */
final class TopicRecorder implements AutoCloseable {

    private final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    private final List<String> unreadable = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread reader;

    TopicRecorder(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-outside-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        reader = new Thread(() -> read(topic), "e2e-reader-" + topic);
        reader.setDaemon(true);
        reader.start();
    }

    /** What arrived so far, in order. */
    List<JsonNode> messages() {
        return List.copyOf(messages);
    }

    /** Positions of the messages that were not JSON: the documented contract says there are none. */
    List<String> unreadable() {
        return List.copyOf(unreadable);
    }

    private void read(String topic) {
        try (consumer) {
            consumer.subscribe(Set.of(topic));
            while (true) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        messages.add(RecurApi.JSON.readTree(record.value()));
                    } catch (IOException e) {
                        unreadable.add(record.topic() + "-" + record.partition() + "@" + record.offset());
                    }
                }
            }
        } catch (WakeupException e) {
            // closed
        }
    }

    @Override
    public void close() {
        consumer.wakeup();
    }
}
