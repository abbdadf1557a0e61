package dev.recur.scheduleapi.domain;

import java.time.Instant;

import dev.recur.common.event.JobStatus;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A job of a run: pending from its due run on recur.due-runs ({@code resultStatus} and {@code createStatusCode}
 * null), finished from its record on recur.job-history.
 */
@Entity
@Table(name = "job_history")
public class JobHistoryEntry {

    @Id
    @Column(name = "job_id")
    public long jobId;

    @Column(name = "run_id", nullable = false)
    public long runId;

    @Column(name = "schedule_id", nullable = false)
    public long scheduleId;

    @Column(nullable = false)
    public String owner;

    /** The schedule's owner's id when the job was first recorded; null if the schedule was gone by then. */
    @Column(name = "owner_id")
    public Long ownerId;

    @Column(name = "scheduled_for", nullable = false)
    public Instant scheduledFor;

    @Column(name = "item_index", nullable = false)
    public int itemIndex;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    public String item;

    /** Null while the job is pending. */
    @Column(name = "create_status_code")
    public Integer createStatusCode;

    /** Null while the job is pending. */
    @Enumerated(EnumType.STRING)
    @Column(name = "result_status")
    public JobStatus resultStatus;

    public String error;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "result_created_at")
    public Instant resultCreatedAt;

    @Column(name = "results_bucket")
    public String resultsBucket;

    @Column(name = "results_key")
    public String resultsKey;

    /** Where the job's document starts in a results pack; null when it is the whole object. */
    @Column(name = "results_offset")
    public Long resultsOffset;

    /** The document's size in a results pack; null when it is the whole object. */
    @Column(name = "results_size")
    public Long resultsSize;
}
