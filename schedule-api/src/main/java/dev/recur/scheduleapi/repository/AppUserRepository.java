package dev.recur.scheduleapi.repository;

import java.util.Optional;

import dev.recur.scheduleapi.domain.AppUser;
import io.quarkus.hibernate.orm.panache.PanacheRepository;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class AppUserRepository implements PanacheRepository<AppUser> {

    public Optional<AppUser> findByUsername(String username) {
        return find("username", username).firstResultOptional();
    }

    /** Whether the user exists, is enabled and still has this credentials version (a primary-key read). */
    public boolean credentialsCurrent(long userId, long version) {
        return count("id = ?1 and credentialsVersion = ?2 and enabled = true", userId, version) == 1;
    }

    /**
     * Counts one more active schedule for user {@code userId} unless that would exceed {@code max}. A single
     * conditional update, so that concurrent creates of one user cannot together overshoot the quota.
     *
     * @return false when the user is at the quota
     */
    public boolean tryReserveActiveSchedule(long userId, int max) {
        return update("activeSchedules = activeSchedules + 1 where id = ?1 and activeSchedules < ?2", userId, max) == 1;
    }

    public void releaseActiveSchedule(long userId) {
        update("activeSchedules = activeSchedules - 1 where id = ?1 and activeSchedules > 0", userId);
    }
}
