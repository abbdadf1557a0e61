package dev.recur.scheduleapi.repository;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.recur.scheduleapi.domain.JobHistoryEntry;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;

@ApplicationScoped
public class JobHistoryRepository implements PanacheRepositoryBase<JobHistoryEntry, Long> {

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
