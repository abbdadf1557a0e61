package dev.recur.scheduleapi.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A user of the API. The id owns the schedules the user creates; the username is only how the user logs in (and the
 * label the events carry): a deleted user's username may be given to a new user, who inherits nothing.
 */
@Entity
@Table(name = "app_user")
public class AppUser {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true)
    public String username;

    @Column(name = "password_hash", nullable = false)
    public String passwordHash;

    @Column(nullable = false)
    public boolean admin;

    /** A disabled user's credentials are refused; the user's schedules keep running. */
    @Column(nullable = false)
    public boolean enabled = true;

    /** Bumped by every change that must end the user's verified credentials at once on every replica. */
    @Column(name = "credentials_version", nullable = false)
    public long credentialsVersion = 1;

    @Column(name = "active_schedules", nullable = false)
    public int activeSchedules;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
}
