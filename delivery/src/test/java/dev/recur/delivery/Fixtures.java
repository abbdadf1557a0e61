package dev.recur.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DeliveryReplay;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultPage;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.event.SigningSecret;
import dev.recur.common.event.TenantBuckets;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.common.json.EventSerializer;
import dev.recur.testinfra.Infra;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Job results to publish and the output topics to read, through plain Kafka clients on the real broker. */
final class Fixtures {

    static final Instant SCHEDULED_FOR = Instant.parse("2026-11-29T16:00:00Z");

    private Fixtures() {}

    static long newScheduleId() {
        return Ids.newScheduleId(ThreadLocalRandom.current());
    }

    static ObjectNode item() {
        return JsonNodeFactory.instance.objectNode().put("source", "universal").put("url", "https://example.com/p");
    }

    static List<ResultPage> pages(String content) {
        return List.of(new ResultPage(
                JsonNodeFactory.instance.textNode(content),
                200,
                "https://example.com/p",
                1,
                SCHEDULED_FOR.plusSeconds(2),
                SCHEDULED_FOR.plusSeconds(3),
                null,
                "scraper-1"));
    }

    static JobResult result(long scheduleId, int itemIndex, ObjectNode item, int createStatus, JobStatus status) {
        return result(scheduleId, itemIndex, item, createStatus, status, pages("<html>" + itemIndex + "</html>"), null);
    }

    static JobResult result(
            long scheduleId,
            int itemIndex,
            ObjectNode item,
            int createStatus,
            JobStatus status,
            List<ResultPage> pages,
            ResultsRef ref) {
        return result(scheduleId, SCHEDULED_FOR, itemIndex, item, createStatus, status, pages, ref);
    }

    /** A job of the run at {@code scheduledFor}; it finishes 4 s later. */
    static JobResult result(
            long scheduleId,
            Instant scheduledFor,
            int itemIndex,
            ObjectNode item,
            int createStatus,
            JobStatus status,
            List<ResultPage> pages,
            ResultsRef ref) {
        long runId = Ids.runId(scheduleId, scheduledFor);
        return JobResult.of(
                Ids.jobId(runId, itemIndex),
                scheduleId,
                runId,
                "alice",
                scheduledFor,
                itemIndex,
                item,
                createStatus,
                status,
                status == JobStatus.FAULTED ? "scraper answered " + createStatus : null,
                "http_fetcher",
                1,
                scheduledFor.plusSeconds(1),
                scheduledFor.plusSeconds(4),
                ref == null ? (status == JobStatus.FAULTED ? List.of() : pages) : null,
                ref);
    }

    static void publish(JobResult... results) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<String, JobResult> producer =
                new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>())) {
            for (JobResult r : results) {
                producer.send(new ProducerRecord<>(Topics.JOB_RESULTS, Topics.key(r.scheduleId()), r));
            }
            producer.flush();
        }
    }

    static void publishSigningSecret(SigningSecret secret) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        try (KafkaProducer<String, SigningSecret> producer =
                new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>())) {
            producer.send(new ProducerRecord<>(Topics.SIGNING_SECRETS, secret.owner(), secret));
            producer.flush();
        }
    }

    /** Publishes a tenant's bucket list as schedule-api's outbox does (keyed by the owner). */
    static void publishTenantBuckets(String owner, List<String> buckets) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        try (KafkaProducer<String, TenantBuckets> producer =
                new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>())) {
            producer.send(new ProducerRecord<>(
                    Topics.TENANT_BUCKETS, owner, TenantBuckets.of(owner, buckets, Instant.now())));
            producer.flush();
        }
    }

    /** Publishes replay commands as schedule-api's outbox does, in order (keyed by schedule id). */
    static void publishReplays(DeliveryReplay... commands) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        try (KafkaProducer<String, DeliveryReplay> producer =
                new KafkaProducer<>(props, new StringSerializer(), new EventSerializer<>())) {
            for (DeliveryReplay command : commands) {
                producer.send(new ProducerRecord<>(Topics.DELIVERY_REPLAYS, Topics.key(command.scheduleId()), command));
            }
            producer.flush();
        }
    }

    /** Reads a topic from its beginning, keeping what it read across calls. */
    static final class TopicReader<T> implements AutoCloseable {

        private final KafkaConsumer<String, byte[]> consumer;
        private final Class<T> type;
        private final List<T> values = new ArrayList<>();

        TopicReader(String topic, Class<T> type) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
            this.type = type;
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        synchronized List<T> values() {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.value() != null) {
                    values.add(EventJson.read(r.value(), type));
                }
            }
            return List.copyOf(values);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
