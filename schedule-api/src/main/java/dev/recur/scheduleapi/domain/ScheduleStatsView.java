package dev.recur.scheduleapi.domain;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The latest statistics of a schedule, as consumed from recur.schedule-stats. */
@Entity
@Table(name = "schedule_stats")
public class ScheduleStatsView {

    @Id
    @Column(name = "schedule_id")
    public long scheduleId;

    @Column(nullable = false)
    public String owner;

    /** The {@code stats} object of the schedule endpoint, as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    public String stats;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
