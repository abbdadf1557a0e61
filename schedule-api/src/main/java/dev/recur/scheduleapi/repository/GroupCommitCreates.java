package dev.recur.scheduleapi.repository;

import static dev.recur.scheduleapi.repository.ReactivePgClient.databaseFailure;
import static dev.recur.scheduleapi.repository.ReactivePgClient.timestamp;

import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.recur.common.event.Topics;
import dev.recur.common.trace.Tracing;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.domain.Schedule;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Group commit of {@code POST /v1/schedules} on the non-blocking client ({@link ReactivePgClient}): a create is its
 * quota reservation, its schedule and its outbox row in one statement; while the create statements allowed in flight
 * are busy, the creates that arrive wait and are then written together by one statement, one transaction.
 */
@ApplicationScoped
public class GroupCommitCreates {

    /** The first key of the batch statement's per-owner advisory locks ("RQOT"); the second is the owner's hash. */
    public static final int QUOTA_LOCK_CLASS = 0x52514f54;

    /**
     * The quota reservation, the schedule and its outbox row as one statement: the inserts take their rows from the
     * quota update, so over the quota nothing is written, and the statement is its own transaction. The casts give
     * the parameters their types (this client lets the server infer them, and a select list infers text).
     */
    private static final String CREATE = """
            WITH quota AS (
                UPDATE app_user SET active_schedules = active_schedules + 1
                WHERE id = $1 AND active_schedules < $2
                RETURNING id, username),
            created AS (
                INSERT INTO schedule (id, owner, owner_id, cron, timezone, items, items_count, start_time, end_time,
                                      active, catch_up, overlap, jitter_seconds, revision, created_at, updated_at)
                SELECT $3::bigint, username, id, $4::text, $5::text, $6::text::jsonb, $7::integer, $8::timestamptz,
                       $9::timestamptz, $10::boolean, $11::text, $12::text, $13::integer, $14::bigint,
                       $15::timestamptz, $16::timestamptz
                FROM quota
                RETURNING id)
            INSERT INTO outbox (topic, message_key, payload, trace_parent)
            SELECT $17::text, $18::text, $19::bytea, $20::text FROM created""";

    /**
     * The same writes for many creates in one statement, i.e. one transaction (group commit): the creates come as
     * arrays, one element per create. Each owner's quota is reserved for all of the owner's creates in the batch at
     * once, or not at all: only the creates of owners whose reservation fitted are written, and the statement returns
     * their ids.
     *
     * <p>Two batches in flight at once (two replicas, or more than one statement in flight) must not deadlock on the
     * owners' rows, which the update locks in whatever order its plan reads them. So the statement first takes a
     * transaction-scoped advisory lock per owner, in the order of the lock keys: batches that share owners queue on
     * these in one order, and a batch only ever waits for a row lock held by a single-row writer (a lone create, a
     * state change), which waits for nothing. Advisory locks live in the server's lock table: unlike a
     * {@code SELECT ... FOR UPDATE} of the owners' rows in username order, they write no row version and no WAL,
     * and need no second scan of {@code app_user}, whose rows the quota updates keep rewriting. With two batches at
     * once, the {@code FOR UPDATE} form fell in three of five benchmark runs into a mode costing 0.22-0.31 ms of
     * PostgreSQL's CPU per create, against 0.056-0.070 for this one; with one at a time the two are alike
     * (docs/history/performance-schedule-api.md). The two-key form with {@link #QUOTA_LOCK_CLASS} keeps these keys
     * apart from the outbox relay's single-key lock (PostgreSQL keeps the two forms in separate key spaces).
     */
    private static final String CREATE_BATCH = """
            WITH request AS (
                SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::integer[],
                                     $7::timestamptz[], $8::timestamptz[], $9::boolean[], $10::text[], $11::text[],
                                     $12::integer[], $13::bigint[], $14::timestamptz[], $15::timestamptz[],
                                     $16::text[], $17::bytea[], $20::text[])
                    WITH ORDINALITY AS r(id, owner_id, cron, timezone, items, items_count, start_time, end_time, active,
                                         catch_up, overlap, jitter_seconds, revision, created_at, updated_at,
                                         message_key, payload, trace_parent, ord)),
            need AS (
                SELECT owner_id, count(*)::integer AS n FROM request GROUP BY owner_id),
            locked AS (
                SELECT count(pg_advisory_xact_lock(%d, k)) AS n
                FROM (SELECT DISTINCT hashtext(owner_id::text) AS k FROM need ORDER BY k) keys),
            quota AS (
                UPDATE app_user u SET active_schedules = u.active_schedules + need.n
                FROM need, locked
                WHERE u.id = need.owner_id AND locked.n > 0 AND u.active_schedules + need.n <= $18
                RETURNING u.id, u.username),
            created AS (
                INSERT INTO schedule (id, owner, owner_id, cron, timezone, items, items_count, start_time, end_time,
                                      active, catch_up, overlap, jitter_seconds, revision, created_at, updated_at)
                SELECT r.id, q.username, q.id, r.cron, r.timezone, r.items::jsonb, r.items_count, r.start_time,
                       r.end_time, r.active, r.catch_up, r.overlap, r.jitter_seconds, r.revision, r.created_at,
                       r.updated_at
                FROM request r JOIN quota q ON q.id = r.owner_id
                ORDER BY r.ord
                RETURNING id),
            published AS (
                INSERT INTO outbox (topic, message_key, payload, trace_parent)
                SELECT $19::text, r.message_key, r.payload, r.trace_parent FROM request r JOIN created c ON c.id = r.id
                ORDER BY r.ord)
            SELECT id FROM created""".formatted(QUOTA_LOCK_CLASS);

    /** Most bytes of items and snapshots one batch statement carries (see {@link #statementDone()}). */
    public static final long MAX_BATCH_BYTES = 4L * 1024 * 1024;

    private static final Logger LOG = Logger.getLogger(GroupCommitCreates.class);

    @Inject
    ReactivePgClient pg;

    @Inject
    ScheduleApiConfig config;

    @Inject
    Tracing tracing;

    @Inject
    MeterRegistry registry;

    /** Creates waiting for a create statement in flight to complete; guarded by {@code this}. */
    private final ArrayDeque<PendingCreate> waiting = new ArrayDeque<>();
    /** Create statements (single or batch) in flight; guarded by {@code this}. */
    private int statementsInFlight;

    /** Creates per create statement (1 for a lone create): how much group commit gathers. */
    private DistributionSummary createsPerStatement;
    /** A create statement's round trip, from sending it to its answer (its commit included). */
    private Timer createStatementTime;

    void start(@Observes StartupEvent event) {
        createsPerStatement = DistributionSummary.builder("recur.schedule-api.create.statement.creates")
                .description("creates written by one create statement (group commit; 1 for a create sent alone)")
                .register(registry);
        createStatementTime = Timer.builder("recur.schedule-api.create.statement.duration")
                .description("round trip of a create statement, commit included")
                .register(registry);
    }

    /**
     * A new schedule with its snapshot in the outbox, counted against its owner's quota of active schedules
     * ({@code recur.schedule-api.max-active-schedules-per-user}), committed by one statement. Group commit: while
     * {@code recur.schedule-api.create-batch.statements-in-flight} create statements are in flight, creates wait and
     * are then written together by one statement, one transaction; a lone create goes out at once. A create whose
     * owner's part of a batch does not fit the quota, and every create of a batch that fails as a whole (a constraint,
     * a deadlock), is written again by a statement of its own, so that its answer is its own. Completes on the
     * caller's context.
     *
     * @return false, having written nothing, when the owner already has the most active schedules allowed
     */
    public Uni<Boolean> createWithinQuota(Schedule s, byte[] snapshot) {
        // the request's trace context, which the outbox row keeps for the ticker's link (null with tracing off)
        String traceParent = tracing.currentTraceparent();
        return Uni.createFrom().emitter(emitter -> {
            PendingCreate create = new PendingCreate(s, snapshot, traceParent, Vertx.currentContext(), emitter);
            synchronized (this) {
                if (statementsInFlight >= config.createBatch().statementsInFlight()) {
                    waiting.add(create);
                    return;
                }
                statementsInFlight++;
            }
            createOne(create, true);
        });
    }

    /** A create on its way: its schedule, snapshot, and the context and emitter of its request. */
    private record PendingCreate(
            Schedule schedule,
            byte[] snapshot,
            String traceParent,
            Context context,
            UniEmitter<? super Boolean> emitter) {

        /** Roughly what the create adds to a statement: its items (as text, once) and its snapshot. */
        long bytes() {
            return (long) schedule.items.length() + snapshot.length;
        }

        void complete(Boolean created) {
            onContext(() -> emitter.complete(created));
        }

        void fail(Throwable failure) {
            onContext(() -> emitter.fail(failure));
        }

        // a batch's statement completes on the context that sent it; each request resumes on its own event loop
        private void onContext(Runnable action) {
            if (context == null || context == Vertx.currentContext()) {
                action.run();
            } else {
                context.runOnContext(ignored -> action.run());
            }
        }
    }

    /** The single statement of one create; {@code counted}: it holds one of the in-flight places. */
    private void createOne(PendingCreate create, boolean counted) {
        Schedule s = create.schedule();
        Tuple parameters;
        try {
            // wrap: the array as it is (start_time may be null)
            parameters = Tuple.wrap(new Object[] {
                s.ownerId,
                config.maxActiveSchedulesPerUser(),
                s.id,
                s.cron,
                s.timezone,
                s.items,
                s.itemsCount,
                timestamp(s.startTime),
                timestamp(s.endTime),
                s.active,
                s.catchUp.name(),
                s.overlap.name(),
                s.jitterSeconds,
                s.revision,
                timestamp(s.createdAt),
                timestamp(s.updatedAt),
                config.outbox().topic(),
                Topics.key(s.id),
                Buffer.buffer(create.snapshot()),
                create.traceParent()
            });
        } catch (RuntimeException e) {
            // a bug, answered as such; the in-flight place must not be lost with it, or every later create would wait
            if (counted) {
                statementDone();
            }
            create.fail(e);
            return;
        }
        long sent = System.nanoTime();
        createsPerStatement.record(1);
        pg.client().preparedQuery(CREATE).execute(parameters).onComplete(result -> {
            createStatementTime.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
            if (counted) {
                statementDone();
            }
            if (result.failed()) {
                create.fail(databaseFailure("cannot create schedule " + s.id, result.cause()));
            } else {
                create.complete(result.result().rowCount() == 1);
            }
        });
    }

    /** Many creates in one statement, which holds one in-flight place. */
    private void createBatch(List<PendingCreate> batch) {
        Tuple parameters;
        try {
            parameters = batchParameters(batch);
        } catch (RuntimeException e) {
            // a bug in one create's fields: each create by itself, so that only that one fails
            statementDone();
            batch.forEach(create -> createOne(create, false));
            return;
        }
        long sent = System.nanoTime();
        createsPerStatement.record(batch.size());
        pg.client().preparedQuery(CREATE_BATCH).execute(parameters).onComplete(result -> {
            createStatementTime.record(System.nanoTime() - sent, TimeUnit.NANOSECONDS);
            batchDone(batch, result);
        });
    }

    /** The batch as arrays, one per column, in the order of {@link #CREATE_BATCH}'s parameters. */
    private Tuple batchParameters(List<PendingCreate> batch) {
        int n = batch.size();
        Long[] ids = new Long[n];
        Long[] owners = new Long[n];
        String[] crons = new String[n];
        String[] timezones = new String[n];
        String[] items = new String[n];
        Integer[] itemsCounts = new Integer[n];
        OffsetDateTime[] startTimes = new OffsetDateTime[n];
        OffsetDateTime[] endTimes = new OffsetDateTime[n];
        Boolean[] actives = new Boolean[n];
        String[] catchUps = new String[n];
        String[] overlaps = new String[n];
        Integer[] jitters = new Integer[n];
        Long[] revisions = new Long[n];
        OffsetDateTime[] createdAts = new OffsetDateTime[n];
        OffsetDateTime[] updatedAts = new OffsetDateTime[n];
        String[] keys = new String[n];
        Buffer[] payloads = new Buffer[n];
        String[] traceParents = new String[n];
        for (int i = 0; i < n; i++) {
            Schedule s = batch.get(i).schedule();
            ids[i] = s.id;
            owners[i] = s.ownerId;
            crons[i] = s.cron;
            timezones[i] = s.timezone;
            items[i] = s.items;
            itemsCounts[i] = s.itemsCount;
            startTimes[i] = timestamp(s.startTime);
            endTimes[i] = timestamp(s.endTime);
            actives[i] = s.active;
            catchUps[i] = s.catchUp.name();
            overlaps[i] = s.overlap.name();
            jitters[i] = s.jitterSeconds;
            revisions[i] = s.revision;
            createdAts[i] = timestamp(s.createdAt);
            updatedAts[i] = timestamp(s.updatedAt);
            keys[i] = Topics.key(s.id);
            payloads[i] = Buffer.buffer(batch.get(i).snapshot());
            traceParents[i] = batch.get(i).traceParent();
        }
        return Tuple.wrap(new Object[] {
            ids,
            owners,
            crons,
            timezones,
            items,
            itemsCounts,
            startTimes,
            endTimes,
            actives,
            catchUps,
            overlaps,
            jitters,
            revisions,
            createdAts,
            updatedAts,
            keys,
            payloads,
            config.maxActiveSchedulesPerUser(),
            config.outbox().topic(),
            traceParents
        });
    }

    private void batchDone(List<PendingCreate> batch, AsyncResult<RowSet<Row>> result) {
        statementDone();
        if (result.failed()) {
            // e.g. an id collision, a deadlock, the database down: each create gets the answer of its own statement
            LOG.debugf("a batch of %d creates failed, writing each by itself: %s", batch.size(), result.cause());
            batch.forEach(create -> createOne(create, false));
            return;
        }
        Set<Long> created = new HashSet<>();
        result.result().forEach(row -> created.add(row.getLong(0)));
        for (PendingCreate create : batch) {
            if (created.contains(create.schedule().id)) {
                create.complete(true);
            } else {
                // its owner's creates in the batch did not fit together: some of them may fit one by one
                createOne(create, false);
            }
        }
    }

    /** A create statement has completed: its in-flight place goes to the creates waiting, if any, as one statement. */
    private void statementDone() {
        List<PendingCreate> next;
        synchronized (this) {
            if (waiting.isEmpty()) {
                statementsInFlight--;
                return;
            }
            int size = Math.min(waiting.size(), config.createBatch().maxSize());
            next = new ArrayList<>(size);
            // a bound on the statement's bytes too: a create may carry megabytes of items, and 64 of those in one
            // message would be a buffer of hundreds of megabytes; the first create always goes, however large
            long bytes = 0;
            while (next.size() < size) {
                long createBytes = waiting.peek().bytes();
                if (!next.isEmpty() && bytes + createBytes > MAX_BATCH_BYTES) {
                    break;
                }
                bytes += createBytes;
                next.add(waiting.poll());
            }
        }
        if (next.size() == 1) {
            createOne(next.get(0), true);
        } else {
            createBatch(next);
        }
    }
}
