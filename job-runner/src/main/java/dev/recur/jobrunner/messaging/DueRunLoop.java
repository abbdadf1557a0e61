package dev.recur.jobrunner.messaging;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

import com.fasterxml.jackson.databind.ObjectReader;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.common.kafka.KafkaClients;
import dev.recur.common.trace.Tracing;
import dev.recur.jobrunner.config.JobRunnerConfig;
import dev.recur.jobrunner.service.JobRunner;
import dev.recur.jobrunner.service.SliceWork;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

/**
 * Consumes due-run slices and publishes their job results, exactly once per slice: the results of a
 * finished slice and the consumer offset that moves past it are committed in one Kafka transaction.
 *
 * <p>A plain consumer/producer loop rather than a SmallRye channel, because (1) the offset has to go
 * into the producer's transaction ({@code sendOffsetsToTransaction}) with metadata about slices
 * finished out of order, and (2) backpressure is a per-partition {@code pause}/{@code resume} that
 * this loop decides from the work it has open. The loop thread owns the consumer and the producer;
 * workers only hand finished slices back through a queue.
 *
 * <p>Guarantee: a job's result is published once (read_committed consumers see it once); the scraper
 * is called again for a job only if its slice was not yet published when the process died or lost the
 * partition — the whole slice is then redone by the next owner.
 */
@ApplicationScoped
public class DueRunLoop {

    private static final Logger LOG = Logger.getLogger(DueRunLoop.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(20);
    /** The shared event mapper, bound to the type once rather than looked up per record. */
    private static final ObjectReader DUE_RUN_READER = EventJson.mapper().readerFor(DueRun.class);

    private final JobRunnerConfig config;
    private final JobRunner runner;
    private final KafkaClients kafka;
    private final Tracing tracing;
    private final ConcurrentLinkedQueue<SliceWork> finished = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final Set<TopicPartition> dirty = new HashSet<>();
    private volatile boolean running;
    private Thread thread;
    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;

    public DueRunLoop(JobRunnerConfig config, JobRunner runner, KafkaClients kafka, Tracing tracing) {
        this.config = config;
        this.runner = runner;
        this.kafka = kafka;
        this.tracing = tracing;
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::run, "due-run-loop");
        thread.start();
    }

    /** Runs before the workers stop (JobRunner observes at the default priority), so that open slices can finish. */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event)
            throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.join(config.shutdownGrace().toMillis() + 10_000);
        }
    }

    private void run() {
        while (running) {
            try {
                open();
                loop();
            } catch (RuntimeException e) {
                // fenced, a transaction that cannot be completed, a broker out of reach: start over from the
                // committed offsets rather than leave the service up with nothing consuming
                LOG.errorf(e, "due-run loop failed; abandoning open slices and reconnecting");
                pauseBeforeReconnect();
            } finally {
                abandonAll();
                closeClients();
            }
        }
    }

    private void pauseBeforeReconnect() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void open() {
        Map<String, Object> producerProps = new HashMap<>();
        // zombie fencing comes from the consumer group generation (KIP-447); a stable instance id also lets a
        // restarted process abort its predecessor's open transaction right away
        producerProps.put(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                config.transactionalIdPrefix() + "-"
                        + config.instanceId().orElseGet(() -> UUID.randomUUID().toString()));
        producerProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int)
                config.transactionTimeout().toMillis());
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producer = kafka.producer(producerProps, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();

        Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 64);
        // a resumed partition is fetched only after the pending fetch returns: keep that wait short
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        consumerProps.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int)
                config.sessionTimeout().toMillis());
        consumer = kafka.consumer(consumerProps, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(config.dueRunsTopic()), new Rebalance());
    }

    private void loop() {
        long interval = config.commitInterval().toNanos();
        long nextCommit = System.nanoTime();
        while (running) {
            boolean pending = !finished.isEmpty() || !dirty.isEmpty();
            long untilCommit = Math.max(0, nextCommit - System.nanoTime());
            var records =
                    consumer.poll(pending ? Duration.ofNanos(Math.min(untilCommit, IDLE_POLL.toNanos())) : IDLE_POLL);
            for (ConsumerRecord<String, byte[]> record : records) {
                accept(record);
            }
            if (System.nanoTime() - nextCommit >= 0 && publishFinished()) {
                nextCommit = System.nanoTime() + interval;
            }
            applyBackpressure();
        }
        drain();
    }

    /** Stops taking due runs and publishes the open slices that finish within the grace period. */
    private void drain() {
        consumer.pause(consumer.assignment());
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while (progress.values().stream().anyMatch(PartitionProgress::hasOpenSlices) && System.nanoTime() < deadline) {
            // polling a paused consumer keeps the group membership, and so the right to commit
            consumer.poll(IDLE_POLL);
            publishFinished();
        }
        publishFinished();
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        PartitionProgress state = progress.get(partition);
        if (state == null) {
            return;
        }
        state.polled(record.offset());
        dirty.add(partition);
        if (state.alreadyDone(record.offset())) {
            return;
        }
        DueRun run = read(record);
        SliceWork slice = new SliceWork(run, record.partition(), record.offset(), finished::add);
        if (tracing.enabled()) {
            slice.runTrace(tracing.extract(record.headers()));
        }
        state.opened(slice);
        if (slice.size() == 0) {
            finished.add(slice);
        } else {
            runner.submit(slice);
        }
    }

    private static DueRun read(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null || record.value().length == 0) {
            return null;
        }
        try {
            return DUE_RUN_READER.readValue(record.value());
        } catch (IOException | RuntimeException e) {
            // a record that is not a due run can never become one: skip it rather than block the partition
            LOG.errorf(
                    e, "skipping unreadable due run at %s-%d@%d", record.topic(), record.partition(), record.offset());
            return null;
        }
    }

    /**
     * One transaction: the results of every slice finished since the last one, and the offsets past them.
     *
     * @return false if there was nothing to commit
     */
    private boolean publishFinished() {
        List<SliceWork> slices = new ArrayList<>();
        for (SliceWork slice; (slice = finished.poll()) != null; ) {
            slices.add(slice);
        }
        if (slices.isEmpty() && dirty.isEmpty()) {
            return false;
        }
        producer.beginTransaction();
        for (SliceWork slice : slices) {
            TopicPartition partition = new TopicPartition(config.dueRunsTopic(), slice.partition());
            PartitionProgress state = progress.get(partition);
            if (state == null || slice.abandoned()) {
                continue;
            }
            if (slice.dueRun() != null) {
                // every job of a slice belongs to the slice's schedule, the key of its results
                String key = Topics.key(slice.dueRun().scheduleId());
                List<byte[]> results = slice.results();
                for (int i = 0; i < results.size(); i++) {
                    ProducerRecord<String, byte[]> record =
                            new ProducerRecord<>(config.jobResultsTopic(), key, results.get(i));
                    // the job's trace goes on with the result, to delivery
                    tracing.inject(slice.jobTrace(i), record.headers());
                    producer.send(record);
                }
            }
            state.published(slice.offset());
            dirty.add(partition);
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : dirty) {
            PartitionProgress state = progress.get(partition);
            if (state != null) {
                offsets.put(partition, new OffsetAndMetadata(state.position(), state.metadata()));
            }
        }
        dirty.clear();
        producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
        producer.commitTransaction();
        return true;
    }

    /** Stops fetching a partition while it has too much open, and every partition while the workers are full. */
    private void applyBackpressure() {
        boolean workersFull = runner.openJobs() >= config.maxQueuedJobs();
        List<TopicPartition> pause = new ArrayList<>();
        List<TopicPartition> resume = new ArrayList<>();
        Set<TopicPartition> paused = consumer.paused();
        for (var entry : progress.entrySet()) {
            boolean full = workersFull || entry.getValue().tracked() >= config.maxOpenSlicesPerPartition();
            if (full && !paused.contains(entry.getKey())) {
                pause.add(entry.getKey());
            } else if (!full && paused.contains(entry.getKey())) {
                resume.add(entry.getKey());
            }
        }
        if (!pause.isEmpty()) {
            consumer.pause(pause);
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    private void abandonAll() {
        progress.values().forEach(state -> state.openSlices().forEach(SliceWork::abandon));
        progress.clear();
        dirty.clear();
        finished.clear();
    }

    private void closeClients() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("closing the producer failed", e);
            }
            producer = null;
        }
        if (consumer != null) {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("closing the consumer failed", e);
            }
            consumer = null;
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // publish what is finished while the partitions are still ours; the rest is redone by the next owner
            publishFinished();
            drop(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            drop(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = committed.get(partition);
                long position = offset != null ? offset.offset() : consumer.position(partition);
                progress.put(partition, new PartitionProgress(position, offset == null ? null : offset.metadata()));
                if (offset != null) {
                    consumer.seek(partition, offset.offset());
                }
            }
        }

        private void drop(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                PartitionProgress state = progress.remove(partition);
                if (state != null) {
                    state.openSlices().forEach(SliceWork::abandon);
                }
                dirty.remove(partition);
            }
        }
    }
}
