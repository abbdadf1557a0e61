package dev.recur.jobrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test side of job-runner's topics on the real broker: writes due runs, reads job results (read_committed). */
final class DueRunTraffic implements AutoCloseable {

    /** A job result as it came off the topic, with its record key and its traceparent header (null: none). */
    record Received(String key, JobResult result, byte[] json, String traceparent) {}

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<Long, List<Received>> bySchedule = new ConcurrentHashMap<>();
    private final AtomicLong count = new AtomicLong();

    DueRunTraffic(String bootstrapServers) {
        this(bootstrapServers, null);
    }

    /** With {@code clientId} (when not null) in the names of the clients' threads, so that a benchmark can tell their CPU apart. */
    DueRunTraffic(String bootstrapServers, String clientId) {
        Properties producerProps = new Properties();
        if (clientId != null) {
            producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-producer");
        }
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producer = new KafkaProducer<>(producerProps);
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (clientId != null) {
            consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-consumer");
        }
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "job-results-reader-" + UUID.randomUUID());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024);
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(consumerProps);
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_RESULTS).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    static ObjectNode item(String json) {
        return (ObjectNode) EventJson.read(json.getBytes(), JsonNode.class);
    }

    static DueRun dueRun(long scheduleId, String owner, int itemOffset, int totalItems, List<ObjectNode> items) {
        Instant scheduledFor = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        return DueRun.of(
                Ids.runId(scheduleId, scheduledFor),
                scheduleId,
                owner,
                scheduledFor,
                scheduledFor,
                false,
                itemOffset == 0 ? 0 : 1,
                itemOffset == 0 && items.size() == totalItems ? 1 : 2,
                itemOffset,
                totalItems,
                items,
                Instant.now());
    }

    void send(DueRun run) {
        send(run, null);
    }

    /** Publishes a due run whose record carries the trace context {@code traceparent} (none when null). */
    void send(DueRun run, String traceparent) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(Topics.DUE_RUNS, Topics.key(run.scheduleId()), EventJson.write(run));
        if (traceparent != null) {
            record.headers().add("traceparent", traceparent.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        try {
            producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish the due run", e);
        }
    }

    /** Publishes a serialized due run without waiting for the acknowledgement, for throughput measurements. */
    void sendAsync(long scheduleId, byte[] dueRun) {
        producer.send(new ProducerRecord<>(Topics.DUE_RUNS, Topics.key(scheduleId), dueRun));
    }

    /** Reads what has arrived so far. */
    void poll() {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
            JobResult result = EventJson.read(record.value(), JobResult.class);
            var traceparent = record.headers().lastHeader("traceparent");
            bySchedule
                    .computeIfAbsent(result.scheduleId(), id -> new ArrayList<>())
                    .add(new Received(
                            record.key(),
                            result,
                            record.value(),
                            traceparent == null
                                    ? null
                                    : new String(traceparent.value(), java.nio.charset.StandardCharsets.UTF_8)));
            count.incrementAndGet();
        }
    }

    /** Results read so far, over all schedules. */
    long count() {
        return count.get();
    }

    /** Reads what has arrived so far and only counts it: a benchmark's reader must not cost more than the service. */
    void pollCount() {
        count.addAndGet(consumer.poll(Duration.ofMillis(200)).count());
    }

    List<Received> received(long scheduleId) {
        return List.copyOf(bySchedule.getOrDefault(scheduleId, List.of()));
    }

    /** Waits for {@code count} results of the schedule and checks that no more than that arrived. */
    List<Received> awaitResults(long scheduleId, int count, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            poll();
            assertThat(received(scheduleId)).hasSizeGreaterThanOrEqualTo(count);
        });
        poll();
        assertThat(received(scheduleId)).hasSize(count);
        return received(scheduleId);
    }

    @Override
    public void close() {
        producer.close();
        consumer.close();
    }
}
