package dev.recur.scheduleapi.console;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.event.JobStatus;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import dev.recur.scheduleapi.service.DeadLetterService;
import dev.recur.scheduleapi.service.FieldError;
import dev.recur.scheduleapi.service.ReadModelService;
import io.quarkus.qute.TemplateData;

/** What the console's templates show: flat, formatted values (times in the API's format, UTC). */
final class ConsoleViews {

    private ConsoleViews() {}

    /** The signed-in user and the token every form and htmx request sends back. */
    @TemplateData
    record Who(String username, boolean admin, String csrf) {}

    @TemplateData
    record ScheduleRow(
            String id,
            String cron,
            String words,
            String timezone,
            int items,
            String state,
            String nextRunAt,
            String startTime,
            String endTime,
            String createdAt,
            String updatedAt,
            String catchUp,
            String overlap,
            int jitterSeconds) {}

    @TemplateData
    record JobRow(
            String id,
            String runId,
            String scheduleId,
            String scheduledFor,
            int itemIndex,
            String status,
            String createStatus,
            String error,
            String target,
            String createdAt,
            String finishedAt) {

        static JobRow of(JobHistoryEntry j) {
            return new JobRow(
                    Long.toString(j.jobId),
                    Long.toString(j.runId),
                    Long.toString(j.scheduleId),
                    time(j.scheduledFor),
                    j.itemIndex,
                    ConsoleViews.status(j.resultStatus),
                    j.createStatusCode == null ? "" : j.createStatusCode.toString(),
                    j.error == null ? "" : j.error,
                    ConsoleViews.target(j.item),
                    time(j.createdAt),
                    time(j.resultCreatedAt));
        }
    }

    /** A run on a schedule's page: its first jobs ({@code jobs}) of {@code total}. */
    @TemplateData
    record RunRow(String runId, String scheduledFor, String success, List<RunJobRow> jobs, long total) {

        public boolean truncated() {
            return total > jobs.size();
        }
    }

    /** A job in a schedule's run list. */
    @TemplateData
    record RunJobRow(String id, int itemIndex, String status, String error, String target) {

        static RunJobRow of(ConsoleQueries.RunJob j) {
            return new RunJobRow(
                    Long.toString(j.jobId()),
                    j.itemIndex(),
                    ConsoleViews.status(j.resultStatus()),
                    j.error() == null ? "" : j.error(),
                    j.target());
        }
    }

    /** A paging bar: the page shown, the number of pages and the query string of the other parameters. */
    @TemplateData
    record Paging(int page, int pages, long total, String query) {

        public boolean hasPrevious() {
            return page > 1;
        }

        public boolean hasNext() {
            return page < pages;
        }

        public int previous() {
            return page - 1;
        }

        public int next() {
            return page + 1;
        }
    }

    /** A create or edit form as the user filled it in, with the API's messages per field. */
    @TemplateData
    record ScheduleForm(
            String id,
            String cron,
            String timezone,
            String startTime,
            String endTime,
            String items,
            String catchUp,
            String overlap,
            String jitterSeconds,
            List<FieldError> errors,
            String message) {

        /** The messages of a field and of its parts ({@code items} takes {@code items[0].url}). */
        public String errorOf(String field) {
            if (errors == null) {
                return "";
            }
            return errors.stream()
                    .filter(e -> e.field() != null
                            && (e.field().equals(field)
                                    || e.field().startsWith(field + "[")
                                    || e.field().startsWith(field + ".")))
                    .map(e -> e.field().equals(field) ? e.message() : e.field() + ": " + e.message())
                    .collect(Collectors.joining("; "));
        }

        /** Messages of fields the form has no input for. */
        public String otherErrors() {
            if (errors == null) {
                return "";
            }
            List<String> known = List.of(
                    "cron", "timezone", "start_time", "end_time", "items", "catch_up", "overlap", "jitter_seconds");
            return errors.stream()
                    .filter(e -> e.field() == null
                            || known.stream()
                                    .noneMatch(k -> e.field().equals(k)
                                            || e.field().startsWith(k + "[")
                                            || e.field().startsWith(k + ".")))
                    .map(e -> (e.field() == null ? "" : e.field() + ": ") + e.message())
                    .collect(Collectors.joining("; "));
        }

        public boolean isNew() {
            return id == null;
        }
    }

    /** A dead letter on the Failures page; {@code owner} is shown to administrators, who see everyone's. */
    @TemplateData
    record DeadLetterRow(
            String id,
            String jobId,
            String scheduleId,
            String owner,
            String kind,
            String target,
            int attempts,
            String lastAttemptAt,
            String lastStatus,
            String reason,
            String state,
            boolean replayable,
            String replayRequestedAt,
            String replayRequestedBy) {

        static DeadLetterRow of(DeadLetterService.DeadLetter d) {
            return new DeadLetterRow(
                    Long.toString(d.id()),
                    Long.toString(d.jobId()),
                    Long.toString(d.scheduleId()),
                    d.owner(),
                    DeadLetterService.kindName(d.kind()),
                    d.target(),
                    d.attempts(),
                    time(d.lastAttemptAt()),
                    d.lastStatusCode() == null ? "none" : d.lastStatusCode().toString(),
                    d.reason(),
                    d.state().replace('_', ' '),
                    d.replayable(),
                    time(d.replayRequestedAt()),
                    d.replayRequestedBy() == null ? "" : d.replayRequestedBy());
        }
    }

    /** The cron helper's answer: the expression in words and the next fire times, or the API's message. */
    @TemplateData
    record CronHelp(String words, List<String> nextRuns, String error, String timezone) {}

    static String time(Instant instant) {
        return instant == null ? "" : ApiTime.format(instant);
    }

    static String status(JobStatus status) {
        return status == null ? "pending" : status.name().toLowerCase(Locale.ROOT);
    }

    /** What a job fetched: the item's url or its source and query. */
    static String target(String itemJson) {
        if (itemJson == null) {
            return "";
        }
        JsonNode item = ReadModelService.readTree(itemJson);
        if (item.hasNonNull("url")) {
            return item.get("url").asText();
        }
        String source = item.path("source").asText("");
        String query = item.path("query").asText("");
        return query.isEmpty() ? source : source + ": " + query;
    }
}
