package dev.recur.common.outbox;

import static dev.recur.common.trace.Tracing.TRACEPARENT;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import javax.sql.DataSource;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Publishes a service's transactional outbox to Kafka in id order, and deletes the rows (or, with a retention,
 * marks them sent) only once the broker acknowledged them: the one relay of schedule-api and delivery.
 *
 * <p>The table is the same in every service's database:
 * {@code outbox (id bigserial, topic text, message_key text, payload bytea (null: a tombstone), created_at, sent_at,
 * trace_parent text)}. A row's {@code trace_parent}, the W3C trace context of the work that wrote it (null when
 * tracing is off), goes out as the record's {@code traceparent} header, so that the consumer links to that trace.
 * A pass runs in one database transaction under a transaction-scoped advisory lock, so that with several replicas
 * one publishes at a time and the order per key holds; the others get no rows. While the broker is away the
 * producer (idempotent, {@code acks=all}) retries and the rows stay unsent. If a send fails for good, the pass stops
 * at the first unacknowledged row, which the next pass sends again with every row after it, and the producer is
 * replaced (a producer whose send failed may have lost its idempotence sequence). Rows after the failed one may have
 * been written already (sends are pipelined), so they are published twice, and a row of another partition may
 * overtake the failed one; within a partition the idempotent producer keeps the order. A crash between the
 * acknowledgement and the commit publishes the rows again too: consumers of an outbox topic are keyed and drop what
 * is not newer (a snapshot's revision, the stats' updated_at) or idempotent (job ids).
 *
 * <p>Not thread-safe: the owner runs passes from one thread (single flight).
 */
public final class OutboxPublisher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(OutboxPublisher.class.getName());
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
    /**
     * The oldest unsent rows, if this pass holds the relay's advisory lock, in one round trip. The lock's CTE calls
     * a volatile function, so PostgreSQL evaluates it exactly once and does not fold it into the scan.
     */
    private static final String SELECT_BATCH = """
            WITH relay_lock AS (SELECT pg_try_advisory_xact_lock(?) AS held)
            SELECT o.id, o.topic, o.message_key, o.payload, o.trace_parent FROM outbox o, relay_lock
            WHERE relay_lock.held AND o.sent_at IS NULL ORDER BY o.id LIMIT ? FOR UPDATE OF o SKIP LOCKED""";

    /**
     * @param lockId the advisory lock that names this relay in its database
     * @param batchSize rows per pass
     * @param sentRetention how long a published row stays, marked sent; zero deletes it at once (writes less)
     */
    public record Settings(long lockId, int batchSize, Duration sentRetention) {}

    private final DataSource dataSource;
    private final Supplier<Producer<String, byte[]>> producers;
    private final Settings settings;
    private Producer<String, byte[]> producer;
    private long lastPurgeNanos = System.nanoTime();

    /** @param producers makes the producer, at the first pass and after a failed send */
    public OutboxPublisher(DataSource dataSource, Supplier<Producer<String, byte[]>> producers, Settings settings) {
        this.dataSource = dataSource;
        this.producers = producers;
        this.settings = settings;
    }

    /** Passes until one is not full, then purges rows kept sent past their retention; logs what fails. */
    public void relayAll() {
        try {
            while (relayBatch() == settings.batchSize()) {
                // a full batch: more rows are probably waiting
            }
            purgeSentRows();
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "outbox relay cannot reach the database: {0}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "outbox relay pass failed", e);
        }
    }

    /** One pass; returns how many rows it published in order (0 after a send that could not even start). */
    public int relayBatch() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                int sent = relayBatch(connection);
                connection.commit();
                return sent;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
    }

    private int relayBatch(Connection connection) throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        boolean sendFailed = false;
        try (PreparedStatement select = connection.prepareStatement(SELECT_BATCH)) {
            select.setLong(1, settings.lockId());
            select.setInt(2, settings.batchSize());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ProducerRecord<String, byte[]> record =
                            new ProducerRecord<>(rs.getString(2), rs.getString(3), rs.getBytes(4));
                    String traceparent = rs.getString(5);
                    if (traceparent != null) {
                        record.headers().add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
                    }
                    try {
                        acks.add(producer().send(record));
                    } catch (KafkaException e) {
                        // e.g. no metadata while the broker is down: send nothing after this row, keep the order
                        LOG.log(
                                Level.WARNING,
                                "outbox relay: cannot send, will retry from this row: {0}",
                                e.toString());
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
            // writes a second copy of the row (payload included) and a second primary-key entry
            boolean keep = !settings.sentRetention().isZero();
            try (PreparedStatement markSent = connection.prepareStatement(
                    keep
                            ? "UPDATE outbox SET sent_at = now() WHERE id = ANY (?)"
                            : "DELETE FROM outbox WHERE id = ANY (?)")) {
                Array array = connection.createArrayOf(
                        "bigint", ids.subList(0, acknowledged).toArray());
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
                LOG.log(
                        Level.WARNING,
                        "outbox relay: send failed, will resend from this row: {0}",
                        e.getCause().toString());
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

    /**
     * Deletes the rows marked sent whose retention has passed, at most once a minute. With no retention the relay
     * deletes rows as it publishes them; this still clears rows kept under an earlier retention setting.
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
            delete.setLong(1, settings.sentRetention().toSeconds());
            delete.executeUpdate();
        }
    }

    private Producer<String, byte[]> producer() {
        if (producer == null) {
            producer = producers.get();
        }
        return producer;
    }

    private void resetProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
