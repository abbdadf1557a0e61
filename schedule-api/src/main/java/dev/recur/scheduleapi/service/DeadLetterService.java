package dev.recur.scheduleapi.service;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import dev.recur.common.event.DeliveryDeadLetter;
import dev.recur.common.event.DeliveryKind;
import dev.recur.common.event.DeliveryReplay;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.scheduleapi.repository.JobHistoryRepository.Position;
import dev.recur.scheduleapi.repository.NativeValues;
import dev.recur.scheduleapi.repository.OutboxRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * The dead letters of deliveries (recur.delivery-dlq) as a read model, and their replays: a replay marks the dead
 * letter requested and writes a {@link DeliveryReplay} command to the outbox in one transaction, for delivery to act
 * on. The REST API and the console both call this service with the signed-in caller: a user sees and replays the dead
 * letters of their own schedules, an administrator everyone's.
 */
@ApplicationScoped
public class DeadLetterService {

    private static final Logger LOG = Logger.getLogger(DeadLetterService.class);

    private static final String COLUMNS = """
            id, job_id, kind, schedule_id, run_id, owner, target, attempts, first_attempt_at, last_attempt_at,
            last_status_code, reason, CAST(replay_id AS text), replay_requested_at, replay_requested_by""";

    /**
     * A dead-lettered delivery as the API shows it.
     *
     * @param replayId the replay requested since the dead letter arrived; null when none is
     */
    public record DeadLetter(
            long id,
            long jobId,
            DeliveryKind kind,
            long scheduleId,
            long runId,
            String owner,
            String target,
            int attempts,
            Instant firstAttemptAt,
            Instant lastAttemptAt,
            Integer lastStatusCode,
            String reason,
            String replayId,
            Instant replayRequestedAt,
            String replayRequestedBy) {

        /** {@code dead}, or {@code replay_requested} until delivery dead-letters it again (or never, once delivered). */
        public String state() {
            return replayId == null ? "dead" : "replay_requested";
        }

        /** Only callbacks and uploads to the user's buckets are deliveries delivery can make again. */
        public boolean replayable() {
            return replayId == null
                    && (kind == DeliveryKind.CALLBACK || kind == DeliveryKind.S3 || kind == DeliveryKind.GCS);
        }
    }

    /** A page of dead letters, newest first, and how many there are in all. */
    public record Page(Slice<DeadLetter> letters, long total) {}

    @Inject
    EntityManager em;

    @Inject
    OutboxRepository outbox;

    @Inject
    Clock clock;

    /**
     * Keeps a dead letter: a newer one of the same delivery replaces the row and ends its replay request; the same
     * record consumed again, or an older one, changes nothing. A letter without the fields that name it is dropped.
     */
    @Transactional
    public void record(DeliveryDeadLetter letter) {
        Instant last = letter.lastAttemptAt() != null ? letter.lastAttemptAt() : letter.firstAttemptAt();
        if (letter.kind() == null || last == null || letter.jobId() <= 0) {
            LOG.warnf("dead letter of job %d without kind or attempt times; not kept", letter.jobId());
            return;
        }
        // a native query of the session (architecture.md, "Data access"); -1 stands for no status: a null parameter
        // would reach PostgreSQL without a type
        em.createNativeQuery("""
                INSERT INTO dead_letter (job_id, kind, schedule_id, run_id, owner, owner_id, target, attempts,
                                         first_attempt_at, last_attempt_at, last_status_code, reason)
                VALUES (?1, ?2, ?3, ?4, ?5, COALESCE((SELECT owner_id FROM schedule WHERE id = ?3),
                                                     (SELECT owner_id FROM job_history WHERE job_id = ?1)),
                        ?6, ?7, ?8, ?9, NULLIF(?10, -1), ?11)
                ON CONFLICT (job_id, kind) DO UPDATE SET schedule_id = EXCLUDED.schedule_id,
                    run_id = EXCLUDED.run_id, owner = EXCLUDED.owner,
                    owner_id = COALESCE(dead_letter.owner_id, EXCLUDED.owner_id), target = EXCLUDED.target,
                    attempts = EXCLUDED.attempts, first_attempt_at = EXCLUDED.first_attempt_at,
                    last_attempt_at = EXCLUDED.last_attempt_at, last_status_code = EXCLUDED.last_status_code,
                    reason = EXCLUDED.reason, replay_id = NULL, replay_requested_at = NULL,
                    replay_requested_by = NULL
                WHERE EXCLUDED.last_attempt_at > dead_letter.last_attempt_at""")
                .setParameter(1, letter.jobId())
                .setParameter(2, kindName(letter.kind()))
                .setParameter(3, letter.scheduleId())
                .setParameter(4, letter.runId())
                .setParameter(5, letter.owner() == null ? "" : letter.owner())
                .setParameter(6, letter.target() == null ? "" : letter.target())
                .setParameter(7, letter.attempts())
                .setParameter(8, Timestamp.from(letter.firstAttemptAt() == null ? last : letter.firstAttemptAt()))
                .setParameter(9, Timestamp.from(last))
                .setParameter(10, letter.lastStatusCode() == null ? -1 : letter.lastStatusCode())
                .setParameter(11, letter.reason() == null ? "" : letter.reason())
                .executeUpdate();
    }

    /**
     * Up to {@code limit} of the caller's dead letters (an administrator's: everyone's), newest last attempt first:
     * after {@code after} (a keyset cursor) if given, from row {@code offset}.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public Page list(Caller caller, Position after, long offset, int limit) {
        String owner = caller.admin() ? "" : " WHERE owner_id = :owner";
        Query count = em.createNativeQuery("SELECT count(*) FROM dead_letter" + owner);
        long total = ((Number) bindOwner(count, caller).getSingleResult()).longValue();
        if (after == null && offset >= total) {
            return new Page(new Slice<>(List.of(), false), total);
        }
        String where = owner;
        if (after != null) {
            where += (owner.isEmpty() ? " WHERE" : " AND") + " (last_attempt_at, id) < (:at, :id)";
        }
        Query rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM dead_letter" + where
                + " ORDER BY last_attempt_at DESC, id DESC LIMIT :limit OFFSET :offset");
        if (after != null) {
            rows.setParameter("at", Timestamp.from(after.at())).setParameter("id", after.id());
        }
        List<Object[]> found = bindOwner(rows, caller)
                .setParameter("limit", limit + 1)
                .setParameter("offset", offset)
                .getResultList();
        List<DeadLetter> letters = new ArrayList<>(found.size());
        found.forEach(row -> letters.add(of(row)));
        return new Page(Slice.of(letters, limit), total);
    }

    /** The dead letter if the caller may see it (their schedule's, or any for an administrator). */
    @Transactional
    public Optional<DeadLetter> find(Caller caller, long id) {
        return find(caller, id, false);
    }

    /**
     * Requests a replay: marks the dead letter and writes the command to the outbox, in one transaction. 404 if the
     * caller may not see it, 409 if a replay is requested already (until delivery dead-letters it again) or its kind
     * is not one delivery makes again.
     */
    @Transactional
    public DeadLetter replay(Caller caller, long id) {
        DeadLetter letter = find(caller, id, true).orElseThrow(() -> ApiException.notFound("dead letter " + id));
        if (letter.replayId() != null) {
            throw new ApiException(
                    409,
                    "a replay of dead letter " + id + " is requested already; it is dead-lettered"
                            + " again if it fails",
                    List.of());
        }
        if (!letter.replayable()) {
            throw new ApiException(409, "a " + kindName(letter.kind()) + " delivery cannot be replayed", List.of());
        }
        Instant now = clock.instant();
        String replayId = UUID.randomUUID().toString();
        em.createNativeQuery("""
                UPDATE dead_letter SET replay_id = CAST(?1 AS uuid), replay_requested_at = ?2, replay_requested_by = ?3
                WHERE id = ?4""")
                .setParameter(1, replayId)
                .setParameter(2, timestamp(now))
                .setParameter(3, caller.username())
                .setParameter(4, id)
                .executeUpdate();
        outbox.write(
                Topics.DELIVERY_REPLAYS,
                Topics.key(letter.scheduleId()),
                EventJson.write(DeliveryReplay.of(
                        replayId,
                        letter.jobId(),
                        letter.scheduleId(),
                        letter.owner(),
                        letter.kind(),
                        caller.username(),
                        now)));
        return new DeadLetter(
                letter.id(),
                letter.jobId(),
                letter.kind(),
                letter.scheduleId(),
                letter.runId(),
                letter.owner(),
                letter.target(),
                letter.attempts(),
                letter.firstAttemptAt(),
                letter.lastAttemptAt(),
                letter.lastStatusCode(),
                letter.reason(),
                replayId,
                now,
                caller.username());
    }

    @SuppressWarnings("unchecked")
    private Optional<DeadLetter> find(Caller caller, long id, boolean forUpdate) {
        Query query = em.createNativeQuery("SELECT " + COLUMNS + " FROM dead_letter WHERE id = :id"
                + (caller.admin() ? "" : " AND owner_id = :owner") + (forUpdate ? " FOR UPDATE" : ""));
        List<Object[]> rows = bindOwner(query.setParameter("id", id), caller).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(of(rows.get(0)));
    }

    private static Query bindOwner(Query query, Caller caller) {
        return caller.admin() ? query : query.setParameter("owner", caller.id());
    }

    private static DeadLetter of(Object[] row) {
        return new DeadLetter(
                ((Number) row[0]).longValue(),
                ((Number) row[1]).longValue(),
                kind((String) row[2]),
                ((Number) row[3]).longValue(),
                ((Number) row[4]).longValue(),
                (String) row[5],
                (String) row[6],
                ((Number) row[7]).intValue(),
                NativeValues.instant(row[8]),
                NativeValues.instant(row[9]),
                row[10] == null ? null : ((Number) row[10]).intValue(),
                (String) row[11],
                row[12] == null ? null : row[12].toString(),
                NativeValues.instant(row[13]),
                (String) row[14]);
    }

    /** The kind as the events name it ({@code callback}, {@code s3}...). */
    public static String kindName(DeliveryKind kind) {
        return kind == null ? "unknown" : kind.name().toLowerCase(Locale.ROOT);
    }

    private static DeliveryKind kind(String name) {
        return DeliveryKind.valueOf(name.toUpperCase(Locale.ROOT));
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
