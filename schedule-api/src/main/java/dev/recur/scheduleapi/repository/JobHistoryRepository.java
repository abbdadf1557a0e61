package dev.recur.scheduleapi.repository;

import java.lang.reflect.Array;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobRecord;
import dev.recur.common.id.Ids;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import dev.recur.scheduleapi.domain.JobSummary;
import dev.recur.scheduleapi.domain.RunSummary;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.Query;

@ApplicationScoped
public class JobHistoryRepository implements PanacheRepositoryBase<JobHistoryEntry, Long> {

    /**
     * One row per item of the slices, in one statement; a job that already has a row (its record came first, or
     * its slice is redelivered) keeps it.
     */
    private static final String INSERT_PENDING = """
            INSERT INTO job_history (job_id, run_id, schedule_id, owner, owner_id, scheduled_for, item_index, item,
                                     created_at)
            SELECT job_id, run_id, schedule_id, pending.owner, s.owner_id, scheduled_for::timestamptz, item_index,
                   item::jsonb, pending.created_at::timestamptz
            FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS bigint[]), CAST(?3 AS bigint[]), CAST(?4 AS text[]),
                        CAST(?5 AS text[]), CAST(?6 AS int[]), CAST(?7 AS text[]), CAST(?8 AS text[]))
                 AS pending(job_id, run_id, schedule_id, owner, scheduled_for, item_index, item, created_at)
                 LEFT JOIN schedule s ON s.id = pending.schedule_id
            ON CONFLICT (job_id) DO NOTHING""";

    /** Jobs per statement: a batch of slices may hold hundreds of thousands of items. */
    private static final int JOBS_PER_STATEMENT = 5_000;

    /** Finished jobs, in one statement: a job's record replaces its pending row, a redelivered one itself. */
    private static final String UPSERT_FINISHED = """
            INSERT INTO job_history (job_id, run_id, schedule_id, owner, owner_id, scheduled_for, item_index, item,
                                     create_status_code, result_status, error, created_at, result_created_at,
                                     results_bucket, results_key, results_offset, results_size)
            SELECT job_id, run_id, schedule_id, finished.owner, s.owner_id, scheduled_for::timestamptz, item_index,
                   item::jsonb, create_status_code, result_status, error, finished.created_at::timestamptz,
                   result_created_at::timestamptz, results_bucket, results_key, results_offset, results_size
            FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS bigint[]), CAST(?3 AS bigint[]), CAST(?4 AS text[]),
                        CAST(?5 AS text[]), CAST(?6 AS int[]), CAST(?7 AS text[]), CAST(?8 AS int[]),
                        CAST(?9 AS text[]), CAST(?10 AS text[]), CAST(?11 AS text[]), CAST(?12 AS text[]),
                        CAST(?13 AS text[]), CAST(?14 AS text[]), CAST(?15 AS bigint[]), CAST(?16 AS bigint[]))
                 AS finished(job_id, run_id, schedule_id, owner, scheduled_for, item_index, item, create_status_code,
                             result_status, error, created_at, result_created_at, results_bucket, results_key,
                             results_offset, results_size)
                 LEFT JOIN schedule s ON s.id = finished.schedule_id
            ON CONFLICT (job_id) DO UPDATE SET run_id = EXCLUDED.run_id, schedule_id = EXCLUDED.schedule_id,
                owner = EXCLUDED.owner, owner_id = COALESCE(job_history.owner_id, EXCLUDED.owner_id),
                scheduled_for = EXCLUDED.scheduled_for, item_index = EXCLUDED.item_index,
                item = EXCLUDED.item, create_status_code = EXCLUDED.create_status_code,
                result_status = EXCLUDED.result_status, error = EXCLUDED.error, created_at = EXCLUDED.created_at,
                result_created_at = EXCLUDED.result_created_at, results_bucket = EXCLUDED.results_bucket,
                results_key = EXCLUDED.results_key, results_offset = EXCLUDED.results_offset,
                results_size = EXCLUDED.results_size""";

    private static final Class<?>[] PENDING_TYPES = {
        Long.class, Long.class, Long.class, String.class, String.class, Integer.class, String.class, String.class
    };

    private static final Class<?>[] FINISHED_TYPES = {
        Long.class,
        Long.class,
        Long.class,
        String.class,
        String.class,
        Integer.class,
        String.class,
        Integer.class,
        String.class,
        String.class,
        String.class,
        String.class,
        String.class,
        String.class,
        Long.class,
        Long.class
    };

    /** The jobs of due-run slices, pending until their records arrive from recur.job-history. */
    public void insertPending(List<DueRun> slices) {
        List<Object[]> rows = new ArrayList<>();
        for (DueRun slice : slices) {
            // the job exists from the moment its run was due: the ticker's publish time when the slice has it
            String createdAt = (slice.publishedAt() == null ? slice.scheduledFor() : slice.publishedAt()).toString();
            for (int i = 0; i < slice.items().size(); i++) {
                int index = slice.itemOffset() + i;
                rows.add(new Object[] {
                    Ids.jobId(slice.runId(), index),
                    slice.runId(),
                    slice.scheduleId(),
                    slice.owner(),
                    slice.scheduledFor().toString(),
                    index,
                    slice.items().get(i).toString(),
                    createdAt
                });
            }
        }
        write(INSERT_PENDING, PENDING_TYPES, rows, "the pending jobs of " + slices.size() + " due-run slices");
    }

    /** Finished jobs from recur.job-history; of several records of one job, the last one counts. */
    public void upsertFinished(List<JobRecord> records) {
        Map<Long, JobRecord> lastOfEach = new LinkedHashMap<>();
        // one statement cannot update a row twice
        records.forEach(r -> lastOfEach.put(r.jobId(), r));
        List<Object[]> rows = new ArrayList<>(lastOfEach.size());
        for (JobRecord r : lastOfEach.values()) {
            rows.add(new Object[] {
                r.jobId(),
                r.runId(),
                r.scheduleId(),
                r.owner(),
                r.scheduledFor().toString(),
                r.itemIndex(),
                r.item() == null ? null : r.item().toString(),
                r.createStatusCode(),
                r.resultStatus().name(),
                r.error(),
                r.createdAt().toString(),
                r.resultCreatedAt() == null ? null : r.resultCreatedAt().toString(),
                r.resultsRef() == null ? null : r.resultsRef().bucket(),
                r.resultsRef() == null ? null : r.resultsRef().key(),
                r.resultsRef() == null ? null : r.resultsRef().offset(),
                r.resultsRef() == null || r.resultsRef().offset() == null
                        ? null
                        : r.resultsRef().sizeBytes()
            });
        }
        write(UPSERT_FINISHED, FINISHED_TYPES, rows, records.size() + " job records");
    }

    /**
     * Runs {@code sql} with one array parameter per column (of the column's Java type, which gives the SQL array's
     * type), {@link #JOBS_PER_STATEMENT} rows at a time, each statement its own transaction unless the caller has one.
     */
    private void write(String sql, Class<?>[] columnTypes, List<Object[]> rows, String what) {
        try {
            for (int from = 0; from < rows.size(); from += JOBS_PER_STATEMENT) {
                List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + JOBS_PER_STATEMENT));
                QuarkusTransaction.joiningExisting().run(() -> {
                    Query statement = getEntityManager().createNativeQuery(sql);
                    for (int column = 0; column < columnTypes.length; column++) {
                        Object[] values = (Object[]) Array.newInstance(columnTypes[column], chunk.size());
                        for (int r = 0; r < values.length; r++) {
                            values[r] = chunk.get(r)[column];
                        }
                        statement.setParameter(column + 1, values);
                    }
                    statement.executeUpdate();
                });
            }
        } catch (RuntimeException e) {
            throw new PersistenceException("cannot record " + what, e);
        }
    }

    public Optional<JobHistoryEntry> findOwned(long jobId, long ownerId) {
        return find(
                        "jobId = :id and ownerId = :owner",
                        Parameters.with("id", jobId).and("owner", ownerId))
                .firstResultOptional();
    }

    /** The ids of the schedule's runs, newest first. */
    public List<Long> runIdsOf(long scheduleId, int pageIndex, int pageSize) {
        if (pastIntOffsets(pageIndex, pageSize)) {
            return List.of();
        }
        return getEntityManager()
                .createQuery(
                        "select j.runId from JobHistoryEntry j where j.scheduleId = :s"
                                + " group by j.runId order by max(j.scheduledFor) desc, j.runId",
                        Long.class)
                .setParameter("s", scheduleId)
                .setFirstResult(pageIndex * pageSize)
                .setMaxResults(pageSize)
                .getResultList();
    }

    /**
     * True when a page starts beyond what the query API can address ({@code int} offsets, first row plus page size):
     * no table here holds 2^31 rows of one schedule, so the page is past the last one (and its offset, computed in
     * {@code int}, would turn negative).
     */
    static boolean pastIntOffsets(int pageIndex, int pageSize) {
        return (long) pageIndex * pageSize + pageSize > Integer.MAX_VALUE;
    }

    /** A place in a listing's order, after which the next page starts: a time and the id that breaks its ties. */
    public record Position(Instant at, long id) {}

    private static final String SUMMARY = "select new dev.recur.scheduleapi.domain.JobSummary(j.jobId, j.runId,"
            + " j.itemIndex, j.createStatusCode, j.resultStatus, j.createdAt, j.resultCreatedAt) from JobHistoryEntry j";

    /**
     * Up to {@code limit} of the schedule's runs, newest first (as {@link #runIdsOf}), after {@code after} if given,
     * from row {@code offset}; each with its jobs counted, not loaded.
     */
    public List<RunSummary> runSummaries(long scheduleId, Position after, long offset, int limit) {
        if (offset + limit > Integer.MAX_VALUE) {
            return List.of();
        }
        var query = getEntityManager()
                .createQuery(
                        "select new dev.recur.scheduleapi.domain.RunSummary(j.runId,"
                                + " max(j.scheduledFor), count(j), sum(case when j.resultStatus ="
                                + " dev.recur.common.event.JobStatus.DONE then 1L else 0L end))"
                                + " from JobHistoryEntry j where j.scheduleId = :s group by j.runId"
                                + (after == null
                                        ? ""
                                        : " having max(j.scheduledFor) < :at"
                                                + " or (max(j.scheduledFor) = :at and j.runId > :id)")
                                + " order by max(j.scheduledFor) desc, j.runId",
                        RunSummary.class)
                .setParameter("s", scheduleId);
        if (after != null) {
            query.setParameter("at", after.at()).setParameter("id", after.id());
        }
        return query.setFirstResult((int) offset).setMaxResults(limit).getResultList();
    }

    /** The first jobs of each run (item index below {@code perRun}), without their items, in run and item order. */
    public List<JobSummary> firstJobsOfRuns(long scheduleId, List<Long> runIds, int perRun) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        return getEntityManager()
                .createQuery(
                        SUMMARY + " where j.scheduleId = :s and j.runId in :runs"
                                + " and j.itemIndex < :n order by j.runId, j.itemIndex",
                        JobSummary.class)
                .setParameter("s", scheduleId)
                .setParameter("runs", runIds)
                .setParameter("n", perRun)
                .getResultList();
    }

    /** Up to {@code limit} jobs of a run of the schedule from item index {@code fromIndex} on, in item order. */
    public List<JobSummary> jobsOfRun(long scheduleId, long runId, int fromIndex, int limit) {
        return getEntityManager()
                .createQuery(
                        SUMMARY + " where j.scheduleId = :s and j.runId = :r"
                                + " and j.itemIndex >= :from order by j.itemIndex",
                        JobSummary.class)
                .setParameter("s", scheduleId)
                .setParameter("r", runId)
                .setParameter("from", fromIndex)
                .setMaxResults(limit)
                .getResultList();
    }

    /** Up to {@code limit} of the schedule's jobs, newest first, after {@code after} if given, from row {@code offset}. */
    public List<JobSummary> jobSummaries(long scheduleId, Position after, long offset, int limit) {
        if (offset + limit > Integer.MAX_VALUE) {
            return List.of();
        }
        var query = getEntityManager()
                .createQuery(
                        SUMMARY + " where j.scheduleId = :s"
                                + (after == null
                                        ? ""
                                        : " and (j.createdAt < :at or (j.createdAt = :at and j.jobId > :id))")
                                + " order by j.createdAt desc, j.jobId",
                        JobSummary.class)
                .setParameter("s", scheduleId);
        if (after != null) {
            query.setParameter("at", after.at()).setParameter("id", after.id());
        }
        return query.setFirstResult((int) offset).setMaxResults(limit).getResultList();
    }
}
