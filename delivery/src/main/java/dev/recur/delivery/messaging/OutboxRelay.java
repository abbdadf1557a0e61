package dev.recur.delivery.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.repository.OutboxRepository;
import dev.recur.delivery.repository.OutboxRepository.OutboxEvent;
import dev.recur.delivery.service.NamedThreads;
import io.quarkus.runtime.StartupEvent;

/**
 * Publishes outbox rows in id order and deletes them once the broker acknowledged them, in the
 * transaction that holds the relay lock. A crash in between publishes them again (at least once):
 * harmless, since history and stats are keyed and compacted and dead letters carry the job id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final OutboxRepository outbox;
    private final EventProducer producer;
    private final DeliveryConfig config;
    private ScheduledExecutorService timer;

    OutboxRelay(OutboxRepository outbox, EventProducer producer, DeliveryConfig config) {
        this.outbox = outbox;
        this.producer = producer;
        this.config = config;
    }

    void start(@Observes StartupEvent event, OutboxRelay self) {
        timer = Executors.newSingleThreadScheduledExecutor(new NamedThreads("outbox-relay"));
        long every = config.outbox().pollInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                while (self.publishBatch() == config.outbox().batchSize()) {
                    // a full batch: more are waiting
                }
            } catch (RuntimeException e) {
                LOG.warnf(e, "outbox relay failed; trying again in %s", config.outbox().pollInterval());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    /** Publishes the oldest rows; returns how many. */
    @Transactional
    public int publishBatch() {
        List<OutboxEvent> events = outbox.lockOldest(config.outbox().batchSize());
        if (events.isEmpty()) {
            return 0;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        for (OutboxEvent e : events) {
            sent.add(producer.producer().send(new ProducerRecord<>(e.topic(), e.key(), e.payload())));
        }
        try {
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the outbox", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the broker did not acknowledge the outbox batch", e);
        }
        outbox.delete(events.stream().map(OutboxEvent::id).toList());
        return events.size();
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
