package dev.recur.scheduleapi;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import dev.recur.testinfra.Infra;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** What the outbox relay publishes to a topic from now on, as the tests read it. */
final class TopicTail {

    private TopicTail() {}

    /** A consumer of every partition of {@code topic}, positioned at its end. */
    static KafkaConsumer<String, byte[]> consumerAtEnd(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "tail-test-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    /** The next {@code count} records of {@code key} (at least), waiting up to 30 s for them. */
    static List<ConsumerRecord<String, byte[]>> recordsOf(
            KafkaConsumer<String, byte[]> consumer, String key, int count) {
        List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                if (key.equals(r.key())) {
                    seen.add(r);
                }
            });
            return seen.size() >= count;
        });
        return seen;
    }
}
