package dev.recur.scheduleapi.repository;

import java.util.List;
import java.util.Optional;

import dev.recur.scheduleapi.domain.Schedule;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

@ApplicationScoped
public class ScheduleRepository implements PanacheRepositoryBase<Schedule, Long> {

    /** The schedule if it exists and belongs to user {@code ownerId}; another user's is as absent as an unknown one. */
    public Optional<Schedule> findOwned(long id, long ownerId) {
        return find("id = :id and ownerId = :owner", Parameters.with("id", id).and("owner", ownerId))
                .firstResultOptional();
    }

    /**
     * As {@link #findOwned}, locked until the transaction ends: changes of one schedule take turns, so each
     * reads the revision the previous one wrote and their outbox rows are numbered in commit order.
     */
    public Optional<Schedule> findOwnedForUpdate(long id, long ownerId) {
        return find("id = :id and ownerId = :owner", Parameters.with("id", id).and("owner", ownerId))
                .withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResultOptional();
    }

    /** The owner's schedule ids in ascending order after {@code afterId}, optionally only active or inactive ones. */
    public List<Long> idsOf(long ownerId, Boolean active, long afterId, int limit) {
        String query = "select s.id from Schedule s where s.ownerId = :owner and s.id > :after"
                + (active == null ? "" : " and s.active = :active") + " order by s.id";
        var typed = getEntityManager()
                .createQuery(query, Long.class)
                .setParameter("owner", ownerId)
                .setParameter("after", afterId)
                .setMaxResults(limit);
        if (active != null) {
            typed.setParameter("active", active);
        }
        return typed.getResultList();
    }
}
