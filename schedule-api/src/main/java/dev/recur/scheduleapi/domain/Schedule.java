package dev.recur.scheduleapi.domain;

import java.time.Instant;

import dev.recur.common.event.CatchUp;
import dev.recur.common.event.Overlap;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A user's recurring schedule; {@code revision} grows with every change and numbers its snapshots. */
@Entity
@Table(name = "schedule")
public class Schedule {

    @Id
    public long id;

    /** The owner's username when the schedule was created, as the events carry it (a label; see ownerId). */
    @Column(nullable = false)
    public String owner;

    /** The owning user's id: what the API checks; unlike a username, never taken again by another user. */
    @Column(name = "owner_id", nullable = false)
    public long ownerId;

    @Column(nullable = false)
    public String cron;

    @Column(nullable = false)
    public String timezone;

    /** The items as the JSON array the user sent, kept verbatim. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    public String items;

    @Column(name = "items_count", nullable = false)
    public int itemsCount;

    @Column(name = "start_time")
    public Instant startTime;

    @Column(name = "end_time", nullable = false)
    public Instant endTime;

    @Column(nullable = false)
    public boolean active;

    @Enumerated(EnumType.STRING)
    @Column(name = "catch_up", nullable = false)
    public CatchUp catchUp;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Overlap overlap;

    @Column(name = "jitter_seconds", nullable = false)
    public int jitterSeconds;

    @Column(nullable = false)
    public long revision;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
