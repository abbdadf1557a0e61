package dev.recur.scheduleapi.rest;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.domain.Schedule;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.Caller;
import dev.recur.scheduleapi.service.ReadModelService;
import dev.recur.scheduleapi.service.ScheduleRequestValidator;
import dev.recur.scheduleapi.service.ScheduleService;
import dev.recur.scheduleapi.service.Slice;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.ResponseStatus;

/**
 * The schedules and their history. As in the other resources, the OpenAPI document takes each body's media type
 * from {@code @Produces} and {@code @Consumes}, and a response's type from the method's return type where the
 * {@code @APIResponse} gives no example; a response with an example names its type too, as the document would
 * otherwise leave it untyped.
 */
@Path("/v1/schedules")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Schedules")
public class ScheduleResource {

    static final String CREATE_EXAMPLE = """
            {"cron": "0 16 * * *",
             "items": [{"source": "amazon_product", "query": "B098FKXT8L", "parse": true,
                        "callback_url": "https://example.com/hook"}],
             "end_time": "2032-12-01 16:00:00"}""";
    static final String SCHEDULE_EXAMPLE = """
            {"schedule_id": 3809594044634907291, "schedule_id_str": "3809594044634907291",
             "active": true, "items_count": 1, "cron": "0 16 * * *", "timezone": "UTC",
             "end_time": "2032-12-01 16:00:00", "next_run_at": "2026-11-29 16:00:00",
             "created_at": "2026-11-28 17:40:00"}""";
    static final String DETAIL_EXAMPLE = """
            {"schedule_id": 3809594044634907291, "schedule_id_str": "3809594044634907291",
             "active": true, "items_count": 1, "cron": "0 16 * * *", "timezone": "UTC",
             "end_time": "2032-12-01 16:00:00", "next_run_at": "2026-12-02 16:00:00",
             "created_at": "2026-11-28 17:40:00",
             "stats": {"total_job_count": 3,
                       "job_create_outcomes": [{"status_code": 200, "job_count": 3, "ratio": 1.0}],
                       "job_result_outcomes": [{"status": "done", "job_count": 2, "ratio": 0.6667},
                                               {"status": "faulted", "job_count": 1, "ratio": 0.3333}],
                       "skipped_run_count": 1}}""";
    static final String ERROR_EXAMPLE = """
            {"message": "cron: minute: value 61 out of range 0-59",
             "errors": [{"field": "cron", "message": "minute: value 61 out of range 0-59"}]}""";

    @Inject
    ScheduleService schedules;

    @Inject
    ReadModelService readModel;

    @Inject
    ScheduleRequestValidator validator;

    @Inject
    CurrentCaller caller;

    @Inject
    ScheduleApiConfig config;

    @Inject
    Clock clock;

    @Inject
    ObjectMapper objectMapper;

    /** Create bodies up to this size are parsed and validated on the event loop, larger ones on a worker thread. */
    static final int INLINE_BODY_BYTES = 64 * 1024;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a schedule", description = """
            An item's callback_url must not carry credentials (user:password@): a 400 naming items[i].callback_url; \
            its callbacks are signed with X-Recur-Signature (tag Callback signatures, docs/callbacks.md). \
            Oxylabs-compatible; Recur's extensions are optional: timezone (IANA, default UTC), start_time, \
            jitter_seconds, overlap (allow, skip) and catch_up. next_run_at in the answer is the first fire time after \
            the instant the schedule was accepted, and that run happens even if the ticker reads the schedule late \
            (it is then published at once). catch_up says what happens to fire times that were missed (the ticker was \
            down or behind): fire_once (default) runs the latest missed one inside the catch-up window, late, with its \
            own scheduled_for, and counts the others as skipped; fire_all runs every missed one inside the window; \
            skip runs none. Missed fire times older than the window are always skipped. Skipped fire times are \
            counted in stats.skipped_run_count of GET /v1/schedules/{id}.""")
    // the body is read as bytes (see below) and validated field by field, so its type is given here
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema = @Schema(implementation = RequestBodies.Schedule.class),
                            examples = @ExampleObject(name = "create", value = CREATE_EXAMPLE)))
    @APIResponse(
            responseCode = "201",
            description = "created",
            content =
                    @Content(
                            schema = @Schema(implementation = ScheduleResponse.class),
                            examples = @ExampleObject(name = "schedule", value = SCHEDULE_EXAMPLE)))
    @APIResponse(
            responseCode = "400",
            description = "invalid input",
            content = @Content(examples = @ExampleObject(name = "error", value = ERROR_EXAMPLE)))
    @APIResponse(responseCode = "429", description = "over the active schedule quota")
    @ResponseStatus(201)
    public Uni<ScheduleResponse> create(byte[] body) {
        // the entity type, not a Response: RESTEasy then picks the body writer once at build time instead of
        // looking it up and sorting the candidates on every create (docs/history/performance-schedule-api.md);
        // a Uni: served on the event loop (see ScheduleService.create), parsing and validation included, unless the
        // body is large: up to the 10 MiB body limit of items would hold the event loop, and every request on it,
        // for tens of milliseconds, so a large body is parsed and validated on a worker thread
        Caller owner = caller.get();
        Instant now = clock.instant();
        if (body.length <= INLINE_BODY_BYTES) {
            return create(owner, body, now);
        }
        return Uni.createFrom()
                .deferred(() -> create(owner, body, now))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private Uni<ScheduleResponse> create(Caller owner, byte[] body, Instant now) {
        JsonNode json;
        try {
            json = objectMapper.readTree(body);
        } catch (IOException e) {
            // JsonProcessingException: the same 400 as a body the REST layer could not read
            return Uni.createFrom().failure(e);
        }
        return schedules
                .create(owner, validator.definition(json, now))
                .map(schedule -> ScheduleResponse.of(schedule, schedules.firstRunAt(schedule), null));
    }

    @GET
    @Operation(summary = "List the caller's schedule ids, in id order", description = """
            (ext) Paginated by limit (default and most: recur.schedule-api.max-page-size, 1000) and cursor: \
            next_cursor, passed back as cursor, gives the next page; the last page has none. after=<id> (the \
            ids after that one) works as before; it cannot be combined with cursor.""")
    @APIResponse(
            responseCode = "200",
            description = "schedule ids",
            content =
                    @Content(
                            schema = @Schema(implementation = Responses.ScheduleIds.class),
                            examples =
                                    @ExampleObject(
                                            name = "ids",
                                            value =
                                                    "{\"schedules\": [3809594044634907291], \"next_cursor\": \"3809594044634907291\"}")))
    @APIResponse(responseCode = "400", description = "invalid active, limit, after or cursor")
    public Responses.ScheduleIds list(
            @QueryParam("active") String active,
            @QueryParam("limit") String limit,
            @Parameter(description = "(ext) the ids after this one; cursor does the same") @QueryParam("after")
                    String after,
            @Parameter(description = "(ext) next_cursor of the previous page") @QueryParam("cursor") String cursor) {
        Boolean activeOnly = PathIds.active(active);
        long afterId = Cursors.afterId(cursor, after);
        int size = PathIds.limit(limit, config.maxPageSize(), config.maxPageSize());
        Slice<Long> ids = Slice.of(schedules.list(caller.id(), activeOnly, afterId, size + 1), size);
        return new Responses.ScheduleIds(ids.rows(), Cursors.next(ids, Cursors::ofId));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A schedule with its statistics", description = """
            stats is the Oxylabs stats object (total_job_count, job_create_outcomes, job_result_outcomes) plus \
            Recur's skipped_run_count: the schedule's fire times that were skipped, not run, because they were missed \
            (the ticker was down or behind) and the catch-up policy or window did not run them. Each is counted once, \
            when the job of the first item of the run after it is reported.""")
    @APIResponse(
            responseCode = "200",
            description = "the schedule",
            content =
                    @Content(
                            schema = @Schema(implementation = ScheduleResponse.class),
                            examples = @ExampleObject(name = "schedule", value = DETAIL_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    public Uni<ScheduleResponse> get(@PathParam("id") String id) {
        // a Uni: served on the event loop (see ScheduleService.detail); a bad id still fails here, before any query
        return schedules
                .detail(PathIds.id(id, "schedule_id"), caller.id())
                .map(detail -> ScheduleResponse.of(detail.schedule(), detail.nextRunAt(), detail.stats()));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "(ext) Replace a schedule's definition; takes effect from the next fire time")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema = @Schema(implementation = RequestBodies.Schedule.class),
                            examples = @ExampleObject(name = "replace", value = CREATE_EXAMPLE)))
    @APIResponse(responseCode = "200", description = "the schedule as replaced")
    @APIResponse(responseCode = "400", description = "invalid input")
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    public ScheduleResponse replace(@PathParam("id") String id, JsonNode body) {
        long scheduleId = PathIds.id(id, "schedule_id");
        Schedule schedule = schedules.replace(scheduleId, caller.id(), validator.definition(body, clock.instant()));
        return ScheduleResponse.of(schedule, schedules.firstRunAt(schedule), null);
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "(ext) Delete a schedule; its history stays readable")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    public Response delete(@PathParam("id") String id) {
        schedules.delete(PathIds.id(id, "schedule_id"), caller.id());
        return Response.noContent().build();
    }

    @PUT
    @Path("/{id}/state")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Activate or deactivate a schedule")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema = @Schema(implementation = RequestBodies.State.class),
                            examples = @ExampleObject(name = "deactivate", value = "{\"active\": false}")))
    @APIResponse(responseCode = "202", description = "accepted")
    @APIResponse(responseCode = "400", description = "invalid input, or a reactivation past end_time")
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    @APIResponse(responseCode = "429", description = "over the active schedule quota")
    public Response changeState(@PathParam("id") String id, JsonNode body) {
        long scheduleId = PathIds.id(id, "schedule_id");
        schedules.changeState(scheduleId, caller.id(), validator.active(body));
        return Response.accepted().build();
    }

    @GET
    @Path("/{id}/runs")
    @Operation(summary = "The schedule's runs with their jobs, newest first", description = """
            Paginated by page (from 1) and limit (default 20), as Oxylabs clients page, or by limit and cursor (the \
            previous page's next_cursor; not with page). Each run carries its jobs in item order, at most jobs_limit \
            (default and most: recur.schedule-api.max-page-size, 1000) of them, without their items (GET \
            /v1/queries/{job_id} has them), and (ext) job_count and jobs_next_cursor, the cursor of the run's further \
            jobs for GET /v1/schedules/{id}/runs/{run_id}/jobs. success_rate counts all the run's jobs.""")
    @APIResponse(responseCode = "200", description = "a page of runs")
    @APIResponse(responseCode = "400", description = "invalid id, page, limit, cursor or jobs_limit")
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    public Responses.Runs runs(
            @PathParam("id") String id,
            @QueryParam("page") String page,
            @QueryParam("limit") String limit,
            @Parameter(description = "(ext) next_cursor of the previous page") @QueryParam("cursor") String cursor,
            @Parameter(description = "(ext) most jobs per run") @QueryParam("jobs_limit") String jobsLimit) {
        long scheduleId = visibleSchedule(id);
        Cursors.TimePage at = Cursors.timePage(cursor, page, limit, 20, config.maxPageSize());
        int jobsPerRun = PathIds.limit("jobs_limit", jobsLimit, config.maxPageSize(), config.maxPageSize());
        return HistoryViews.runs(
                readModel.runPage(scheduleId, at.after(), at.offset(), at.limit(), jobsPerRun), jobsPerRun);
    }

    @GET
    @Path("/{id}/runs/{run_id}/jobs")
    @Operation(summary = "(ext) A run's jobs in item order (limit, cursor)", description = """
            The jobs of a run beyond those GET /v1/schedules/{id}/runs shows: start with the run's \
            jobs_next_cursor as cursor (none: from the first job), limit default 100.""")
    @APIResponse(responseCode = "200", description = "a page of the run's jobs")
    @APIResponse(responseCode = "400", description = "invalid id, run_id, limit or cursor")
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    public Responses.Jobs runJobs(
            @PathParam("id") String id,
            @PathParam("run_id") String runId,
            @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor) {
        long scheduleId = visibleSchedule(id);
        long run = PathIds.id(runId, "run_id");
        int from = cursor == null ? 0 : Cursors.index(cursor);
        int size = PathIds.limit(limit, 100, config.maxPageSize());
        return HistoryViews.runJobs(readModel.runJobs(scheduleId, run, from, size));
    }

    @GET
    @Path("/{id}/jobs")
    @Operation(summary = "The schedule's jobs, newest first", description = """
            Paginated by page (from 1) and limit (default 100), or by limit and cursor (the previous page's \
            next_cursor; not with page).""")
    @APIResponse(responseCode = "200", description = "a page of jobs")
    @APIResponse(responseCode = "400", description = "invalid id, page, limit or cursor")
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    public Responses.Jobs jobs(
            @PathParam("id") String id,
            @QueryParam("page") String page,
            @QueryParam("limit") String limit,
            @Parameter(description = "(ext) next_cursor of the previous page") @QueryParam("cursor") String cursor) {
        long scheduleId = visibleSchedule(id);
        Cursors.TimePage at = Cursors.timePage(cursor, page, limit, 100, config.maxPageSize());
        return HistoryViews.jobs(readModel.jobPage(scheduleId, at.after(), at.offset(), at.limit()));
    }

    @POST
    @Path("/preview")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "(ext) The next fire times of a cron expression")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema = @Schema(implementation = RequestBodies.Preview.class),
                            examples =
                                    @ExampleObject(
                                            name = "preview",
                                            value =
                                                    "{\"cron\": \"0 16 * * *\", \"timezone\": \"Europe/Vilnius\", \"count\": 3}")))
    @APIResponse(responseCode = "200", description = "the next fire times")
    @APIResponse(responseCode = "400", description = "invalid input")
    public Responses.NextRuns preview(JsonNode body) {
        return new Responses.NextRuns(schedules.preview(validator.preview(body, clock.instant())).stream()
                .map(ApiTime::format)
                .toList());
    }

    /** The schedule id if the caller may read its history, which outlives a deleted schedule. */
    private long visibleSchedule(String id) {
        long scheduleId = PathIds.id(id, "schedule_id");
        if (!readModel.visible(scheduleId, caller.id())) {
            throw ApiException.notFound("schedule " + scheduleId);
        }
        return scheduleId;
    }
}
