package dev.recur.delivery.messaging;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

import dev.recur.common.kafka.KafkaClients;
import dev.recur.common.outbox.OutboxPublisher;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.service.NamedThreads;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * delivery's outbox relay (job history, schedule stats, dead letters): common's {@link OutboxPublisher}, polled from
 * one thread every {@code recur.delivery.outbox.poll-interval}. A crash between the broker's acknowledgement and
 * the row's removal publishes it again: harmless, since history and stats are keyed and compacted and dead letters
 * carry the job id.
 */
@ApplicationScoped
public class OutboxRelay {

    // any constant: one relay at a time keeps a schedule's stats snapshots in commit order
    private static final long RELAY_LOCK = 0x7265637572L;

    private final DataSource dataSource;
    private final KafkaClients kafka;
    private final DeliveryConfig config;
    private OutboxPublisher publisher;
    private ScheduledExecutorService timer;

    OutboxRelay(DataSource dataSource, KafkaClients kafka, DeliveryConfig config) {
        this.dataSource = dataSource;
        this.kafka = kafka;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        publisher = new OutboxPublisher(
                dataSource,
                this::newProducer,
                new OutboxPublisher.Settings(RELAY_LOCK, config.outbox().batchSize(), Duration.ZERO));
        timer = Executors.newSingleThreadScheduledExecutor(new NamedThreads("outbox-relay"));
        long every = config.outbox().pollInterval().toMillis();
        timer.scheduleWithFixedDelay(publisher::relayAll, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * A plain client rather than a SmallRye emitter: the rows are already serialized, and the relay waits for a
     * whole batch's acknowledgements before it removes them.
     */
    private Producer<String, byte[]> newProducer() {
        return kafka.producer(
                Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.LINGER_MS_CONFIG, 5,
                        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                        ProducerConfig.CLIENT_ID_CONFIG, "recur-delivery-outbox"),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (publisher != null) {
            publisher.close();
        }
    }
}
