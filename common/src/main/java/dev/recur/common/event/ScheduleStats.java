package dev.recur.common.event;

import static com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The latest statistics of a schedule, on {@link Topics#SCHEDULE_STATS}, in the shape of the
 * {@code stats} object of {@code GET /v1/schedules/{id}}.
 *
 * @param skippedRunCount fire times of the schedule skipped, not run, so far (missed minutes its catch-up policy
 *     or window did not run), as the runs after them reported them; 0 in a message of a version that did not
 *     carry it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScheduleStats(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("owner") String owner,
        @JsonProperty("total_job_count") long totalJobCount,
        @JsonProperty("job_create_outcomes") List<CreateOutcome> jobCreateOutcomes,
        @JsonProperty("job_result_outcomes") List<ResultOutcome> jobResultOutcomes,

        @JsonProperty("updated_at") @JsonFormat(shape = STRING)
        Instant updatedAt,

        @JsonProperty("skipped_run_count") long skippedRunCount) {

    public static final String TYPE = "schedule_stats";
    public static final int VERSION = 1;

    public ScheduleStats {
        jobCreateOutcomes = jobCreateOutcomes == null ? null : List.copyOf(jobCreateOutcomes);
        jobResultOutcomes = jobResultOutcomes == null ? null : List.copyOf(jobResultOutcomes);
    }

    public static ScheduleStats of(
            long scheduleId,
            String owner,
            long totalJobCount,
            List<CreateOutcome> jobCreateOutcomes,
            List<ResultOutcome> jobResultOutcomes,
            Instant updatedAt) {
        return of(scheduleId, owner, totalJobCount, jobCreateOutcomes, jobResultOutcomes, updatedAt, 0);
    }

    public static ScheduleStats of(
            long scheduleId,
            String owner,
            long totalJobCount,
            List<CreateOutcome> jobCreateOutcomes,
            List<ResultOutcome> jobResultOutcomes,
            Instant updatedAt,
            long skippedRunCount) {
        return new ScheduleStats(
                TYPE,
                VERSION,
                scheduleId,
                owner,
                totalJobCount,
                jobCreateOutcomes,
                jobResultOutcomes,
                updatedAt,
                skippedRunCount);
    }

    /**
     * How many jobs got a given HTTP status from the scraper's create call.
     *
     * @param ratio {@code jobCount} divided by the schedule's total job count
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CreateOutcome(
            @JsonProperty("status_code") int statusCode,
            @JsonProperty("job_count") long jobCount,
            @JsonProperty("ratio") double ratio) {}

    /**
     * How many jobs ended with a given status ({@code done}, {@code faulted}).
     *
     * @param ratio {@code jobCount} divided by the schedule's total job count
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ResultOutcome(
            @JsonProperty("status") String status,
            @JsonProperty("job_count") long jobCount,
            @JsonProperty("ratio") double ratio) {}
}
