package dev.recur.delivery.repository;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.event.ScheduleStats;
import dev.recur.common.json.EventJson;
import dev.recur.delivery.domain.FinishedJob;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The job log, the per-schedule counters and the per-run counters. Plain JDBC rather than Panache
 * entities: a batch is one {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING},
 * which is what keeps the consumer both exact under redelivery and fast.
 */
@ApplicationScoped
public class JobRepository {

    private static final String ADD_SCHEDULE_COUNT = """
            INSERT INTO schedule_stats (schedule_id, owner, total_job_count, updated_at, skipped_run_count)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (schedule_id) DO UPDATE
            SET total_job_count = schedule_stats.total_job_count + excluded.total_job_count,
                updated_at = excluded.updated_at,
                skipped_run_count = schedule_stats.skipped_run_count + excluded.skipped_run_count
            """;

    private static final String ADD_CREATE_OUTCOME = """
            INSERT INTO schedule_create_outcome (schedule_id, status_code, job_count) VALUES (?, ?, ?)
            ON CONFLICT (schedule_id, status_code) DO UPDATE
            SET job_count = schedule_create_outcome.job_count + excluded.job_count
            """;

    private static final String ADD_RESULT_OUTCOME = """
            INSERT INTO schedule_result_outcome (schedule_id, status, job_count) VALUES (?, ?, ?)
            ON CONFLICT (schedule_id, status) DO UPDATE
            SET job_count = schedule_result_outcome.job_count + excluded.job_count
            """;

    private static final String ADD_RUN_COUNT = """
            INSERT INTO run (run_id, schedule_id, scheduled_for, job_count, done_count) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (run_id) DO UPDATE
            SET job_count = run.job_count + excluded.job_count, done_count = run.done_count + excluded.done_count
            """;

    private final DataSource dataSource;

    JobRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * A stored job with where its results document is: the object's key (null once the expiry sweep deleted a
     * document stored alone) and, for a document in a results pack, its byte range.
     */
    public record StoredJob(FinishedJob job, String resultsKey, Long resultsOffset, Long resultsSize) {

        public StoredJob(FinishedJob job, ResultsRef ref) {
            this(
                    job,
                    ref == null ? null : ref.key(),
                    ref == null ? null : ref.offset(),
                    ref == null || ref.offset() == null ? null : ref.sizeBytes());
        }
    }

    /** The job ids of {@code jobIds} that are already in the log. */
    public Set<Long> existing(Collection<Long> jobIds) {
        Set<Long> found = new HashSet<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT job_id FROM job WHERE job_id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("bigint", jobIds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    found.add(r.getLong(1));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new RepositoryException("cannot read the job log", e);
        }
    }

    /** One array {@link #insertNew} binds: its SQL element type and each job's element. */
    private record Column(String sqlType, IntFunction<Object[]> newArray, Function<StoredJob, Object> value) {

        static Column bigint(Function<StoredJob, Long> value) {
            return new Column("bigint", Long[]::new, value::apply);
        }

        static Column integer(Function<StoredJob, Integer> value) {
            return new Column("integer", Integer[]::new, value::apply);
        }

        static Column text(Function<StoredJob, String> value) {
            return new Column("text", String[]::new, value::apply);
        }
    }

    /** The columns of {@link #INSERT_NEW}'s {@code unnest}, in its order. */
    private static final List<Column> INSERT_NEW_COLUMNS = List.of(
            Column.bigint(s -> s.job().jobId()),
            Column.bigint(s -> s.job().runId()),
            Column.bigint(s -> s.job().scheduleId()),
            Column.text(s -> s.job().owner()),
            Column.text(s -> s.job().scheduledFor().toString()),
            Column.integer(s -> s.job().itemIndex()),
            Column.text(s -> s.job().item() == null ? "{}" : s.job().item().toString()),
            Column.integer(s -> s.job().createStatusCode()),
            Column.text(s -> JobCounts.statusName(s.job().status())),
            Column.text(s -> s.job().error()),
            Column.text(s -> s.job().createdAt().toString()),
            Column.text(s -> s.job().resultCreatedAt().toString()),
            Column.text(StoredJob::resultsKey),
            Column.bigint(StoredJob::resultsOffset),
            Column.bigint(StoredJob::resultsSize));

    private static final String INSERT_NEW = """
            INSERT INTO job (job_id, run_id, schedule_id, owner, scheduled_for, item_index, item,
                             create_status_code, result_status, error, created_at, result_created_at, results_key,
                             results_offset, results_size)
            SELECT j, r, s, o, sf::timestamptz, ii, it::jsonb, cs, st, er, ca::timestamptz, rc::timestamptz, rk,
                   ro, rs
            FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::integer[], ?::text[],
                        ?::integer[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],
                        ?::bigint[])
                 AS t(j, r, s, o, sf, ii, it, cs, st, er, ca, rc, rk, ro, rs)
            ON CONFLICT (job_id) DO NOTHING
            RETURNING job_id
            """;

    /** Inserts the jobs that are not in the log yet; returns the ids of those it inserted. */
    public Set<Long> insertNew(List<StoredJob> jobs) {
        Set<Long> inserted = new HashSet<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(INSERT_NEW)) {
            for (int i = 0; i < INSERT_NEW_COLUMNS.size(); i++) {
                Column column = INSERT_NEW_COLUMNS.get(i);
                Object[] values = jobs.stream().map(column.value()).toArray(column.newArray());
                s.setArray(i + 1, c.createArrayOf(column.sqlType(), values));
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    inserted.add(r.getLong(1));
                }
            }
            return inserted;
        } catch (SQLException e) {
            throw new RepositoryException("cannot insert jobs", e);
        }
    }

    /**
     * Adds newly logged jobs to their schedules' and runs' counters ({@link JobCounts}), on one connection. Schedules
     * in id order: two transactions never wait for each other's rows in a cycle.
     */
    public void count(List<FinishedJob> newJobs, Instant now) {
        JobCounts counts = JobCounts.of(newJobs);
        try (Connection c = dataSource.getConnection()) {
            executeBatch(c, ADD_SCHEDULE_COUNT, counts.schedules().entrySet(), (s, e) -> {
                s.setLong(1, e.getKey());
                s.setString(2, e.getValue().owner());
                s.setLong(3, e.getValue().jobs());
                s.setTimestamp(4, Timestamp.from(now));
                s.setLong(5, e.getValue().skippedRuns());
            });
            executeBatch(c, ADD_CREATE_OUTCOME, counts.createOutcomes().entrySet(), (s, e) -> {
                s.setLong(1, e.getKey().scheduleId());
                s.setInt(2, e.getKey().statusCode());
                s.setLong(3, e.getValue());
            });
            executeBatch(c, ADD_RESULT_OUTCOME, counts.resultOutcomes().entrySet(), (s, e) -> {
                s.setLong(1, e.getKey().scheduleId());
                s.setString(2, e.getKey().status());
                s.setLong(3, e.getValue());
            });
            executeBatch(c, ADD_RUN_COUNT, counts.runs().entrySet(), (s, e) -> {
                s.setLong(1, e.getKey());
                s.setLong(2, e.getValue().scheduleId());
                s.setTimestamp(3, Timestamp.from(e.getValue().scheduledFor()));
                s.setLong(4, e.getValue().jobs());
                s.setLong(5, e.getValue().done());
            });
        } catch (SQLException e) {
            throw new RepositoryException("cannot count jobs", e);
        }
    }

    /** Sets a statement's parameters from one row. */
    private interface Binder<T> {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    /** {@code sql} once per row, as one JDBC batch. */
    private static <T> void executeBatch(Connection c, String sql, Iterable<T> rows, Binder<T> binder)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (T row : rows) {
                binder.bind(s, row);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** A schedule's row of {@code schedule_stats}. */
    private record StatsHead(String owner, long total, Instant updatedAt, long skippedRuns) {}

    /** The current statistics of the given schedules that have jobs, by schedule id. */
    public Map<Long, ScheduleStats> stats(Collection<Long> scheduleIds) {
        Map<Long, ScheduleStats> stats = new HashMap<>();
        try (Connection c = dataSource.getConnection()) {
            Array ids = c.createArrayOf("bigint", scheduleIds.toArray());
            Map<Long, StatsHead> heads = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT schedule_id, owner, total_job_count, updated_at,"
                    + " skipped_run_count FROM schedule_stats WHERE schedule_id = ANY (?)")) {
                s.setArray(1, ids);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        heads.put(
                                r.getLong(1),
                                new StatsHead(
                                        r.getString(2),
                                        r.getLong(3),
                                        r.getTimestamp(4).toInstant(),
                                        r.getLong(5)));
                    }
                }
            }
            Map<Long, List<ScheduleStats.CreateOutcome>> creates = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT schedule_id, status_code, job_count"
                    + " FROM schedule_create_outcome WHERE schedule_id = ANY (?) ORDER BY schedule_id, status_code")) {
                s.setArray(1, ids);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long total = heads.get(r.getLong(1)).total();
                        creates.computeIfAbsent(r.getLong(1), k -> new ArrayList<>())
                                .add(new ScheduleStats.CreateOutcome(
                                        r.getInt(2), r.getLong(3), ratio(r.getLong(3), total)));
                    }
                }
            }
            Map<Long, List<ScheduleStats.ResultOutcome>> results = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT schedule_id, status, job_count"
                    + " FROM schedule_result_outcome WHERE schedule_id = ANY (?) ORDER BY schedule_id, status")) {
                s.setArray(1, ids);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long total = heads.get(r.getLong(1)).total();
                        results.computeIfAbsent(r.getLong(1), k -> new ArrayList<>())
                                .add(new ScheduleStats.ResultOutcome(
                                        r.getString(2), r.getLong(3), ratio(r.getLong(3), total)));
                    }
                }
            }
            heads.forEach((id, head) -> stats.put(
                    id,
                    ScheduleStats.of(
                            id,
                            head.owner(),
                            head.total(),
                            creates.getOrDefault(id, List.of()),
                            results.getOrDefault(id, List.of()),
                            head.updatedAt(),
                            head.skippedRuns())));
            return stats;
        } catch (SQLException e) {
            throw new RepositoryException("cannot read stats", e);
        }
    }

    public List<StoredJob> load(Collection<Long> jobIds) {
        List<StoredJob> jobs = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                SELECT job_id, run_id, schedule_id, owner, scheduled_for, item_index, item::text, create_status_code,
                       result_status, error, created_at, result_created_at, results_key, results_offset,
                       results_size
                FROM job WHERE job_id = ANY (?)
                """)) {
            s.setArray(1, c.createArrayOf("bigint", jobIds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    // skipped runs were counted when the job was consumed; the log does not keep them
                    FinishedJob job = new FinishedJob(
                            r.getLong(1),
                            r.getLong(2),
                            r.getLong(3),
                            r.getString(4),
                            r.getTimestamp(5).toInstant(),
                            r.getInt(6),
                            (ObjectNode) EventJson.mapper().readTree(r.getString(7)),
                            r.getInt(8),
                            JobStatus.valueOf(r.getString(9).toUpperCase(Locale.ROOT)),
                            r.getString(10),
                            r.getTimestamp(11).toInstant(),
                            r.getTimestamp(12).toInstant(),
                            0);
                    jobs.add(new StoredJob(
                            job, r.getString(13), r.getObject(14, Long.class), r.getObject(15, Long.class)));
                }
            }
            return jobs;
        } catch (SQLException | JsonProcessingException e) {
            throw new RepositoryException("cannot load jobs", e);
        }
    }

    /**
     * Jobs whose results document is stored alone, finished before {@code cutoff} and is still there, oldest first
     * (packs expire by the time in their keys).
     */
    public Map<Long, String> resultsStoredBefore(Instant cutoff, int limit) {
        Map<Long, String> keys = new HashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                SELECT job_id, results_key FROM job
                WHERE results_key IS NOT NULL AND results_offset IS NULL AND result_created_at < ?
                ORDER BY result_created_at LIMIT ?
                """)) {
            s.setTimestamp(1, Timestamp.from(cutoff));
            s.setInt(2, limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    keys.put(r.getLong(1), r.getString(2));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw new RepositoryException("cannot read expired results", e);
        }
    }

    public void forgetResults(Collection<Long> jobIds) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE job SET results_key = NULL WHERE job_id = ANY (?)")) {
            Array ids = c.createArrayOf("bigint", jobIds.toArray());
            s.setArray(1, ids);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new RepositoryException("cannot mark results expired", e);
        }
    }

    private static double ratio(long count, long total) {
        return total == 0 ? 0 : (double) count / total;
    }
}
