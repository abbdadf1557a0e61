package dev.recur.scheduleapi.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;

import dev.recur.common.event.DueRun;
import dev.recur.common.id.Ids;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import io.agroal.api.AgroalDataSource;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;

@ApplicationScoped
public class JobHistoryRepository implements PanacheRepositoryBase<JobHistoryEntry, Long> {

    /**
     * One row per item of the slice, in one statement; a job that already has a row (its record came first, or
     * the slice is redelivered) keeps it.
     */
    private static final String INSERT_PENDING = """
            INSERT INTO job_history (job_id, run_id, schedule_id, owner, scheduled_for, item_index, item, created_at)
            SELECT job_id, ?, ?, ?, ?, item_index, item::jsonb, ?
            FROM unnest(?::bigint[], ?::int[], ?::text[]) AS slice(job_id, item_index, item)
            ON CONFLICT (job_id) DO NOTHING""";

    @Inject
    AgroalDataSource dataSource;

    /** The jobs of a due-run slice, pending until their records arrive from recur.job-history. */
    public void insertPending(DueRun slice) {
        int n = slice.items().size();
        Long[] jobIds = new Long[n];
        Integer[] indexes = new Integer[n];
        String[] items = new String[n];
        for (int i = 0; i < n; i++) {
            indexes[i] = slice.itemOffset() + i;
            jobIds[i] = Ids.jobId(slice.runId(), indexes[i]);
            items[i] = slice.items().get(i).toString();
        }
        // the job exists from the moment its run was due; the ticker's publish time when the slice has it
        Instant createdAt = slice.publishedAt() == null ? slice.scheduledFor() : slice.publishedAt();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT_PENDING)) {
            int p = 0;
            insert.setLong(++p, slice.runId());
            insert.setLong(++p, slice.scheduleId());
            insert.setString(++p, slice.owner());
            insert.setTimestamp(++p, Timestamp.from(slice.scheduledFor()));
            insert.setTimestamp(++p, Timestamp.from(createdAt));
            insert.setArray(++p, connection.createArrayOf("bigint", jobIds));
            insert.setArray(++p, connection.createArrayOf("int4", indexes));
            insert.setArray(++p, connection.createArrayOf("text", items));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new PersistenceException("cannot record the pending jobs of run " + slice.runId(), e);
        }
    }

    public Optional<JobHistoryEntry> findOwned(long jobId, String owner) {
        return find("jobId = :id and owner = :owner", Parameters.with("id", jobId).and("owner", owner))
                .firstResultOptional();
    }

    /** The schedule's jobs, newest first. */
    public List<JobHistoryEntry> jobsOf(long scheduleId, int pageIndex, int pageSize) {
        return find("scheduleId", Sort.descending("createdAt").and("jobId"), scheduleId)
                .page(Page.of(pageIndex, pageSize)).list();
    }

    /** The ids of the schedule's runs, newest first. */
    public List<Long> runIdsOf(long scheduleId, int pageIndex, int pageSize) {
        return getEntityManager().createQuery("select j.runId from JobHistoryEntry j where j.scheduleId = :s"
                        + " group by j.runId order by max(j.scheduledFor) desc, j.runId", Long.class)
                .setParameter("s", scheduleId)
                .setFirstResult(pageIndex * pageSize)
                .setMaxResults(pageSize)
                .getResultList();
    }

    public List<JobHistoryEntry> jobsOfRuns(List<Long> runIds) {
        return list("runId in ?1", Sort.ascending("itemIndex"), runIds);
    }
}
