package dev.recur.scheduleapi.messaging;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import dev.recur.common.kafka.KafkaClients;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Publishes outbox rows to Kafka in id order and deletes them (or, with a retention, marks them sent) only once
 * the broker acknowledged them.
 *
 * <p>One thread does all the work, so passes never overlap (single flight); a commit that wrote rows wakes
 * it (after a linger of a few milliseconds that gathers the commits of that time), a timer catches whatever a
 * wake-up missed. Rows are locked with {@code FOR UPDATE SKIP LOCKED} and the pass runs under a
 * transaction-scoped advisory lock, so that with several replicas only one publishes at a time and per-schedule
 * order holds. The producer is idempotent with {@code acks=all}: while the broker is
 * down it retries, and the rows stay unsent until their acknowledgement arrives. If a send fails for good, the
 * producer is replaced and the pass stops at the first unacknowledged row, which the next pass sends again.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    // arbitrary constant naming the relay's advisory lock in this database
    private static final long RELAY_LOCK = 0x5245_4355_5230_0001L;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    ScheduleApiConfig config;

    @Inject
    KafkaClients kafka;

    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    /**
     * The oldest unsent rows, if this pass holds the relay's advisory lock (a replica that does not gets no rows),
     * in one round trip. The lock's CTE calls a volatile function, so PostgreSQL evaluates it exactly once and
     * does not fold it into the scan.
     */
    private static final String SELECT_BATCH = """
            WITH relay_lock AS (SELECT pg_try_advisory_xact_lock(?) AS held)
            SELECT o.id, o.topic, o.message_key, o.payload FROM outbox o, relay_lock
            WHERE relay_lock.held AND o.sent_at IS NULL ORDER BY o.id LIMIT ? FOR UPDATE OF o SKIP LOCKED""";

    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private long lastPurgeNanos = System.nanoTime();
    private ScheduledExecutorService executor;
    private Producer<String, byte[]> producer;

    void start(@Observes StartupEvent event) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "outbox-relay");
            thread.setDaemon(true);
            return thread;
        });
        long interval = config.outbox().interval().toMillis();
        executor.scheduleWithFixedDelay(this::relayAll, interval, interval, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
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
            executor.schedule(() -> {
                wakeUpPending.set(false);
                relayAll();
            }, config.outbox().linger().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void relayAll() {
        try {
            while (relayBatch() == config.outbox().batchSize()) {
                // a full batch: more rows are probably waiting
            }
            purgeSentRows();
        } catch (SQLException e) {
            LOG.warnf("outbox relay cannot reach the database: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("outbox relay pass failed", e);
        }
    }

    /**
     * Deletes the rows marked sent whose retention has passed. With no retention the relay deletes rows as it
     * publishes them; this still clears rows kept under an earlier retention setting.
     */
    private void purgeSentRows() throws SQLException {
        long now = System.nanoTime();
        if (now - lastPurgeNanos < PURGE_INTERVAL.toNanos()) {
            return;
        }
        lastPurgeNanos = now;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => ?)")) {
            delete.setLong(1, config.outbox().sentRetention().toSeconds());
            delete.executeUpdate();
        }
    }

    /** One pass; returns how many rows it marked sent. */
    private int relayBatch() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int sent = relayBatch(connection);
                connection.commit();
                return sent;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    private int relayBatch(Connection connection) throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        boolean sendFailed = false;
        try (PreparedStatement select = connection.prepareStatement(SELECT_BATCH)) {
            select.setLong(1, RELAY_LOCK);
            select.setInt(2, config.outbox().batchSize());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ProducerRecord<String, byte[]> record =
                            new ProducerRecord<>(rs.getString(2), rs.getString(3), rs.getBytes(4));
                    try {
                        acks.add(producer().send(record));
                    } catch (KafkaException e) {
                        // e.g. no metadata while the broker is down: send nothing after this row, keep the order
                        LOG.warnf("outbox relay: cannot send, will retry from this row: %s", e.toString());
                        sendFailed = true;
                        break;
                    }
                    ids.add(rs.getLong(1));
                }
            }
        }
        if (!acks.isEmpty()) {
            // the pass waits for these acknowledgements anyway: send now rather than after the producer's linger
            producer().flush();
        }
        int acknowledged = awaitAcks(acks);
        if (sendFailed) {
            resetProducer();
        }
        if (acknowledged > 0) {
            // with no retention a published row is deleted: a delete only marks the tuple, where setting sent_at
            // writes a second copy of the row (payload included) and a second primary-key entry, to be deleted
            // by the purge later anyway
            boolean keep = !config.outbox().sentRetention().isZero();
            try (PreparedStatement markSent = connection.prepareStatement(keep
                    ? "UPDATE outbox SET sent_at = now() WHERE id = ANY (?)"
                    : "DELETE FROM outbox WHERE id = ANY (?)")) {
                Array array = connection.createArrayOf("bigint", ids.subList(0, acknowledged).toArray());
                markSent.setArray(1, array);
                markSent.executeUpdate();
            }
        }
        return sendFailed ? 0 : acknowledged;
    }

    /** How many leading sends the broker acknowledged; stops at the first failure to keep the order. */
    private int awaitAcks(List<Future<RecordMetadata>> acks) {
        for (int i = 0; i < acks.size(); i++) {
            try {
                acks.get(i).get();
            } catch (ExecutionException e) {
                LOG.warnf("outbox relay: send failed, will resend from this row: %s", e.getCause().toString());
                resetProducer();
                return i;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                resetProducer();
                return i;
            }
        }
        return acks.size();
    }

    private Producer<String, byte[]> producer() {
        if (producer == null) {
            producer = kafka.producer(Map.of(
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all",
                    // uncompressed: a snapshot is a few hundred bytes of JSON as a rule, and compressing the relay's
                    // small per-partition batches cost more CPU than the rest of a create (gzip, and lz4 with its
                    // 64 KiB block buffers, measured in docs/history/performance-schedule-api.md); the topic takes the
                    // largest one as it is
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "none",
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    // snapshots carry a schedule's items, up to the API's body limit
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024,
                    ProducerConfig.CLIENT_ID_CONFIG, "recur-schedule-api-outbox"),
                    new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private void resetProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }
}
