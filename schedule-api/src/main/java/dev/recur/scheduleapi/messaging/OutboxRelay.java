package dev.recur.scheduleapi.messaging;

import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.recur.common.kafka.KafkaClients;
import dev.recur.common.outbox.OutboxPublisher;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * schedule-api's outbox relay: common's {@link OutboxPublisher} run from one thread (passes never
 * overlap), woken by the commits that wrote rows (after a linger of a few milliseconds that gathers the commits of
 * that time) and by a timer that catches whatever a wake-up missed.
 */
@ApplicationScoped
public class OutboxRelay {

    // arbitrary constant naming the relay's advisory lock in this database
    private static final long RELAY_LOCK = 0x5245_4355_5230_0001L;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ScheduleApiConfig config;

    @Inject
    KafkaClients kafka;

    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private ScheduledExecutorService executor;
    private OutboxPublisher relay;

    void start(@Observes StartupEvent event) {
        relay = new OutboxPublisher(
                dataSource,
                this::newProducer,
                new OutboxPublisher.Settings(
                        RELAY_LOCK, config.outbox().batchSize(), config.outbox().sentRetention()));
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "outbox-relay");
            thread.setDaemon(true);
            return thread;
        });
        long interval = config.outbox().interval().toMillis();
        executor.scheduleWithFixedDelay(relay::relayAll, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        relay.close();
    }

    /**
     * Publishes soon after a JTA transaction that wrote outbox rows has committed (replace, state change, delete).
     * A create is one statement outside any JTA transaction and calls {@link #wake()} itself.
     */
    void onOutboxWritten(@Observes(during = TransactionPhase.AFTER_SUCCESS) OutboxWritten event) {
        wake();
    }

    /**
     * Starts a pass after a short linger. Wake-ups that arrive while one is pending fold into it: a burst of
     * commits costs one pass, and the linger makes bursts of single commits at low rates too, which would otherwise
     * cost a pass each (three round trips and a produce request).
     */
    public void wake() {
        if (executor != null && wakeUpPending.compareAndSet(false, true)) {
            executor.schedule(
                    () -> {
                        wakeUpPending.set(false);
                        relay.relayAll();
                    },
                    config.outbox().linger().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    private Producer<String, byte[]> newProducer() {
        return kafka.producer(
                Map.of(
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        // uncompressed: a snapshot is a few hundred bytes of JSON as a rule, and compressing the
                        // relay's
                        // small per-partition batches cost more CPU than the rest of a create (gzip, and lz4 with its
                        // 64 KiB block buffers, measured in docs/history/performance-schedule-api.md); the topic takes
                        // the
                        // largest one as it is
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        "none",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        // snapshots carry a schedule's items, up to the API's body limit
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        16 * 1024 * 1024,
                        ProducerConfig.CLIENT_ID_CONFIG,
                        "recur-schedule-api-outbox"),
                new StringSerializer(),
                new ByteArraySerializer());
    }
}
