package dev.recur.scheduleapi.repository;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.recur.scheduleapi.domain.AppUser;
import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class AppUserRepository implements PanacheRepository<AppUser> {

    public Optional<AppUser> findByUsername(String username) {
        return find("username", username).firstResultOptional();
    }

    /**
     * Counts one more active schedule for {@code username} unless that would exceed {@code max}. A single
     * conditional update, so that concurrent creates of one user cannot together overshoot the quota.
     *
     * @return false when the user is at the quota
     */
    public boolean tryReserveActiveSchedule(String username, int max) {
        return update("activeSchedules = activeSchedules + 1 where username = ?1 and activeSchedules < ?2",
                username, max) == 1;
    }

    public void releaseActiveSchedule(String username) {
        update("activeSchedules = activeSchedules - 1 where username = ?1 and activeSchedules > 0", username);
    }
}
