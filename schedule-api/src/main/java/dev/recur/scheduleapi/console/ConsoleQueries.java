package dev.recur.scheduleapi.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import dev.recur.common.event.JobStatus;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import dev.recur.scheduleapi.domain.Schedule;
import dev.recur.scheduleapi.repository.JobHistoryRepository;
import dev.recur.scheduleapi.repository.NativeValues;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.transaction.Transactional;

/**
 * The console's reads that the REST API has no endpoint for: a page of schedules with their fields (the API lists
 * ids), the per-run counts behind the charts and the failed jobs across schedules. Every query is bounded by the
 * owner's id, as the API's own reads are.
 */
@ApplicationScoped
public class ConsoleQueries {

    /** A page of rows and the number of rows of all pages. */
    public record Page<T>(List<T> rows, long total, int page, int size) {
        public int pages() {
            return (int) Math.max(1, (total + size - 1) / size);
        }
    }

    /** One run's job counts by outcome. */
    public record RunCounts(long runId, Instant scheduledFor, long jobs, long done, long faulted) {}

    /**
     * A job as a schedule's run list shows it: what it fetched ({@link ConsoleViews#target}, made of the item's url,
     * source and query), without the item itself.
     */
    public record RunJob(
            long jobId,
            long runId,
            Instant scheduledFor,
            int itemIndex,
            JobStatus resultStatus,
            String error,
            String target) {}

    @Inject
    EntityManager em;

    @Inject
    JobHistoryRepository history;

    /**
     * The owner's schedules, newest first. {@code search} matches a schedule id (digits: prefix of the id), the cron
     * expression or the items' JSON text (case-insensitive substring). One scan finds a page's ids and the number of
     * all matches (a window count), a second query loads that page's rows by primary key.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public Page<Schedule> schedules(long ownerId, Boolean active, String search, int page, int size) {
        StringBuilder where = new StringBuilder(" FROM schedule WHERE owner_id = :owner");
        if (active != null) {
            where.append(" AND active = :active");
        }
        String text = search == null || search.isBlank() ? null : search.trim();
        if (text != null) {
            where.append(" AND (cast(id AS text) LIKE :prefix OR cron ILIKE :pattern")
                    .append(" OR cast(items AS text) ILIKE :pattern)");
        }
        int shown = Math.max(1, page);
        List<Object[]> ids = bind(
                        em.createNativeQuery("SELECT id, count(*) OVER ()" + where
                                + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset"),
                        ownerId,
                        active,
                        text)
                .setParameter("limit", size)
                .setParameter("offset", (long) (shown - 1) * size)
                .getResultList();
        long total;
        if (ids.isEmpty()) {
            total = ((Number) bind(em.createNativeQuery("SELECT count(*)" + where), ownerId, active, text)
                            .getSingleResult())
                    .longValue();
            int last = (int) Math.max(1, (total + size - 1) / size);
            if (total == 0 || shown <= last) {
                return new Page<>(List.of(), total, Math.min(shown, last), size);
            }
            return schedules(ownerId, active, search, last, size);
        }
        total = ((Number) ids.get(0)[1]).longValue();
        List<Long> pageIds =
                ids.stream().map(row -> ((Number) row[0]).longValue()).toList();
        Map<Long, Schedule> byId = em.createQuery("from Schedule where id in :ids", Schedule.class)
                .setParameter("ids", pageIds)
                .getResultStream()
                .collect(Collectors.toMap(s -> s.id, s -> s));
        List<Schedule> rows =
                pageIds.stream().map(byId::get).filter(Objects::nonNull).toList();
        return new Page<>(rows, total, shown, size);
    }

    private static Query bind(Query query, long ownerId, Boolean active, String text) {
        query.setParameter("owner", ownerId);
        if (active != null) {
            query.setParameter("active", active);
        }
        if (text != null) {
            query.setParameter("prefix", escapeLike(text) + "%");
            query.setParameter("pattern", "%" + escapeLike(text) + "%");
        }
        return query;
    }

    /** A run on a schedule's page: its first jobs in item order, and its counts over all of its jobs. */
    public record RunJobs(List<RunJob> jobs, long total, long done) {}

    /**
     * A page of the schedule's runs, newest first (as the API's runs), each with its first {@code jobsPerRun} jobs in
     * item order and its counts over all of them: a run has as many jobs as the schedule has items (up to
     * {@code recur.schedule-api.max-items}), too many for one page. Of a job's item only the keys its target is made
     * of are read: an item can be large, and the page shows none.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public Map<Long, RunJobs> runs(long scheduleId, int pageIndex, int pageSize, int jobsPerRun) {
        List<Long> runIds = history.runIdsOf(scheduleId, pageIndex, pageSize);
        if (runIds.isEmpty()) {
            return Map.of();
        }
        List<Object[]> rows = em.createNativeQuery("""
                SELECT job_id, run_id, scheduled_for, item_index, result_status, error,
                       CAST(jsonb_build_object('url', item->'url', 'source', item->'source', 'query', item->'query')
                            AS text),
                       total, done
                FROM (SELECT job_id, run_id, scheduled_for, item_index, result_status, error, item,
                             row_number() OVER (PARTITION BY run_id ORDER BY item_index) AS position,
                             count(*) OVER (PARTITION BY run_id) AS total,
                             count(*) FILTER (WHERE result_status = 'DONE') OVER (PARTITION BY run_id) AS done
                      FROM job_history WHERE schedule_id = ?1 AND run_id IN (?2)) runs
                WHERE position <= ?3 ORDER BY item_index""")
                .setParameter(1, scheduleId)
                .setParameter(2, runIds)
                .setParameter(3, jobsPerRun)
                .getResultList();
        Map<Long, List<RunJob>> jobsByRun = new LinkedHashMap<>();
        Map<Long, long[]> counts = new HashMap<>();
        runIds.forEach(runId -> jobsByRun.put(runId, new ArrayList<>()));
        for (Object[] row : rows) {
            RunJob job = new RunJob(
                    ((Number) row[0]).longValue(),
                    ((Number) row[1]).longValue(),
                    NativeValues.instant(row[2]),
                    ((Number) row[3]).intValue(),
                    row[4] == null ? null : JobStatus.valueOf((String) row[4]),
                    (String) row[5],
                    ConsoleViews.target((String) row[6]));
            jobsByRun.get(job.runId()).add(job);
            counts.putIfAbsent(job.runId(), new long[] {((Number) row[7]).longValue(), ((Number) row[8]).longValue()});
        }
        Map<Long, RunJobs> byRun = new LinkedHashMap<>();
        jobsByRun.forEach((runId, jobs) -> {
            long[] c = counts.getOrDefault(runId, new long[2]);
            byRun.put(runId, new RunJobs(jobs, c[0], c[1]));
        });
        return byRun;
    }

    /**
     * The newest {@code limit} runs of a schedule, oldest first: the distinct fire times come from the head of the
     * (schedule_id, scheduled_for desc) index, so a schedule with a long history costs no more than a new one.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<RunCounts> recentRuns(long scheduleId, int limit) {
        List<Object[]> rows = em.createNativeQuery("""
                SELECT run_id, min(scheduled_for), count(*),
                       count(*) FILTER (WHERE result_status = 'DONE'),
                       count(*) FILTER (WHERE result_status = 'FAULTED')
                FROM job_history
                WHERE schedule_id = ?1 AND scheduled_for >= (
                    SELECT min(t) FROM (SELECT DISTINCT scheduled_for AS t FROM job_history WHERE schedule_id = ?1
                                        ORDER BY scheduled_for DESC LIMIT ?2) recent)
                GROUP BY run_id ORDER BY min(scheduled_for), run_id""")
                .setParameter(1, scheduleId)
                .setParameter(2, limit)
                .getResultList();
        List<RunCounts> runs = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            runs.add(new RunCounts(
                    ((Number) row[0]).longValue(),
                    NativeValues.instant(row[1]),
                    ((Number) row[2]).longValue(),
                    ((Number) row[3]).longValue(),
                    ((Number) row[4]).longValue()));
        }
        return runs;
    }

    /** The owner's faulted jobs and jobs the scraper refused, across schedules, newest first. */
    @Transactional
    public Page<JobHistoryEntry> failedJobs(long ownerId, int page, int size) {
        String where = " from JobHistoryEntry j where j.ownerId = :owner"
                + " and (j.resultStatus = :faulted or j.createStatusCode >= 400)";
        long total = em.createQuery("select count(j)" + where, Long.class)
                .setParameter("owner", ownerId)
                .setParameter("faulted", JobStatus.FAULTED)
                .getSingleResult();
        int last = (int) Math.max(1, (total + size - 1) / size);
        int shown = Math.min(Math.max(1, page), last);
        List<JobHistoryEntry> rows = em.createQuery(
                        "select j" + where + " order by j.createdAt desc, j.jobId desc", JobHistoryEntry.class)
                .setParameter("owner", ownerId)
                .setParameter("faulted", JobStatus.FAULTED)
                .setFirstResult((shown - 1) * size)
                .setMaxResults(size)
                .getResultList();
        return new Page<>(rows, total, shown, size);
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
