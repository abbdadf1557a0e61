package dev.recur.delivery.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.recur.common.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * The state a compacted, internal topic keyed by owner defines ({@code recur.signing-secrets},
 * {@code recur.tenant-buckets}), read by every instance from the start of all partitions, without a consumer group,
 * and kept in memory only. A new connection (after an error) builds a fresh state and uses it once it has caught up,
 * so that replayed records never mix with the state they led to.
 *
 * @param <S> the state, safe for concurrent readers while the reading thread applies records to it
 */
public final class CompactedTopicReader<S> {

    private static final Logger LOG = Logger.getLogger(CompactedTopicReader.class);

    /** Applies one record to the state; {@code value} null is a tombstone. */
    public interface Applier<S> {
        void apply(S state, String key, byte[] value, long offset);
    }

    private final KafkaClients kafka;
    private final String topic;
    private final String clientId;
    private final Supplier<S> fresh;
    private final Applier<S> applier;
    private final CountDownLatch firstCatchUp = new CountDownLatch(1);
    private volatile S active;
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread reader;

    public CompactedTopicReader(
            KafkaClients kafka, String topic, String clientId, Supplier<S> fresh, Applier<S> applier) {
        this.kafka = kafka;
        this.topic = topic;
        this.clientId = clientId;
        this.fresh = fresh;
        this.applier = applier;
        this.active = fresh.get();
    }

    /** A reader that holds {@code state} as read already and reads nothing, for tests without a broker. */
    public static <S> CompactedTopicReader<S> loaded(S state) {
        CompactedTopicReader<S> reader =
                new CompactedTopicReader<>(null, "(loaded)", null, () -> state, (s, k, v, o) -> {});
        reader.firstCatchUp.countDown();
        return reader;
    }

    public void start() {
        running = true;
        reader = new Thread(this::read, topic);
        reader.setDaemon(true);
        reader.start();
    }

    public void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (reader != null) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The state as of the topic's end when it was first read, and every record since.
     *
     * @throws IllegalStateException when the topic was not read to its end within {@code wait} since the start
     */
    public S state(Duration wait) {
        try {
            if (!firstCatchUp.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(topic + " is not loaded yet");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + topic, e);
        }
        return active;
    }

    private void read() {
        while (running) {
            S building = fresh.get();
            boolean caughtUp = false;
            try (KafkaConsumer<String, byte[]> c = kafka.consumer(
                    Map.of(
                            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                            false,
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                            "earliest",
                            ConsumerConfig.CLIENT_ID_CONFIG,
                            clientId),
                    new StringDeserializer(),
                    new ByteArrayDeserializer())) {
                consumer = c;
                List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                        applier.apply(building, record.key(), record.value(), record.offset());
                    }
                    if (!caughtUp && partitions.stream().allMatch(p -> c.position(p) >= end.get(p))) {
                        caughtUp = true;
                        active = building;
                        firstCatchUp.countDown();
                        LOG.infof("read %s to its end", topic);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("cannot read %s; reading it again from its start in 1 s: %s", topic, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
