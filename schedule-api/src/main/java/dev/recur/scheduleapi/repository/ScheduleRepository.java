package dev.recur.scheduleapi.repository;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import dev.recur.scheduleapi.domain.Schedule;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;

@ApplicationScoped
public class ScheduleRepository implements PanacheRepositoryBase<Schedule, Long> {

    /** The schedule if it exists and belongs to {@code owner}; another user's schedule is as absent as an unknown one. */
    public Optional<Schedule> findOwned(long id, String owner) {
        return find("id = :id and owner = :owner", Parameters.with("id", id).and("owner", owner))
                .firstResultOptional();
    }

    /**
     * As {@link #findOwned}, locked until the transaction ends: changes of one schedule take turns, so each
     * reads the revision the previous one wrote and their outbox rows are numbered in commit order.
     */
    public Optional<Schedule> findOwnedForUpdate(long id, String owner) {
        return find("id = :id and owner = :owner", Parameters.with("id", id).and("owner", owner))
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResultOptional();
    }

    /** The owner's schedule ids in ascending order after {@code afterId}, optionally only active or inactive ones. */
    public List<Long> idsOf(String owner, Boolean active, long afterId, int limit) {
        String query = "select s.id from Schedule s where s.owner = :owner and s.id > :after"
                + (active == null ? "" : " and s.active = :active") + " order by s.id";
        var typed = getEntityManager().createQuery(query, Long.class)
                .setParameter("owner", owner)
                .setParameter("after", afterId)
                .setMaxResults(limit);
        if (active != null) {
            typed.setParameter("active", active);
        }
        return typed.getResultList();
    }
}
