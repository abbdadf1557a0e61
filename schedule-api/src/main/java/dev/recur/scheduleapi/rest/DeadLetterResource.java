package dev.recur.scheduleapi.rest;

import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.DeadLetterService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** (ext) Deliveries that exhausted their retries (recur.delivery-dlq), and their replays. */
@Path("/v1/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Dead letters", description = """
        A callback or an upload to the user's bucket that failed all its attempts is dead-lettered: it is listed here \
        with the reason, the number of attempts and the last HTTP status. A user sees the dead letters of their own \
        schedules, an administrator everyone's. A replay delivers it again as a fresh delivery (all attempts anew); \
        once delivered it is not delivered again, and if it fails for good it is dead-lettered again (its replay \
        request ends and it can be replayed once more).""")
public class DeadLetterResource {

    private static final String EXAMPLE = """
            {"id": 17, "job_id": 340607039567941077, "job_id_str": "340607039567941077", \
            "schedule_id": 3809594044634907291, "schedule_id_str": "3809594044634907291", "owner": "alice", \
            "kind": "callback", "target": "https://hooks.example.com/recur?…", "attempts": 10, \
            "first_attempt_at": "2026-11-29 16:00:10", "last_attempt_at": "2026-11-30 14:07:40", \
            "last_status_code": 503, "reason": "callback answered 503 Service Unavailable", "state": "dead"}""";

    @Inject
    DeadLetterService deadLetters;

    @Inject
    CurrentCaller caller;

    @Inject
    ScheduleApiConfig config;

    @GET
    @Operation(
            summary = "(ext) The caller's dead letters, newest first; an administrator's: everyone's",
            description = """
                    Paginated by page (from 1) and limit (default 50, most: recur.schedule-api.max-page-size), or by \
                    limit and cursor (the previous page's next_cursor; not with page). total counts them all.""")
    @APIResponse(
            responseCode = "200",
            description = "a page of dead letters and the number of all",
            content =
                    @Content(
                            schema = @Schema(implementation = Responses.DeadLetters.class),
                            examples =
                                    @ExampleObject(
                                            name = "dead letters",
                                            value = "{\"dead_letters\": [" + EXAMPLE + "], \"total\": 1}")))
    @APIResponse(responseCode = "400", description = "invalid page, limit or cursor")
    public Responses.DeadLetters list(
            @QueryParam("page") String page,
            @QueryParam("limit") String limit,
            @Parameter(description = "(ext) next_cursor of the previous page") @QueryParam("cursor") String cursor) {
        Cursors.TimePage at = Cursors.timePage(cursor, page, limit, 50, config.maxPageSize());
        DeadLetterService.Page found = deadLetters.list(caller.get(), at.after(), at.offset(), at.limit());
        return new Responses.DeadLetters(
                found.letters().rows().stream().map(DeadLetterView::of).toList(),
                found.total(),
                Cursors.next(found.letters(), last -> Cursors.of(last.lastAttemptAt(), last.id())));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "(ext) A dead letter")
    @APIResponse(
            responseCode = "200",
            description = "the dead letter",
            content =
                    @Content(
                            schema = @Schema(implementation = DeadLetterView.class),
                            examples = @ExampleObject(name = "dead letter", value = EXAMPLE)))
    @APIResponse(responseCode = "404", description = "unknown, or not the caller's")
    public DeadLetterView get(@PathParam("id") String id) {
        long letterId = PathIds.id(id, "id");
        return DeadLetterView.of(deadLetters
                .find(caller.get(), letterId)
                .orElseThrow(() -> ApiException.notFound("dead letter " + letterId)));
    }

    @POST
    @Path("/{id}/replay")
    @Operation(summary = "(ext) Deliver a dead letter again", description = """
            Publishes a replay command (through the outbox) that delivery acts on once: the delivery starts afresh \
            with the job's stored result. The answer is the dead letter in state `replay_requested`; it stays so \
            when the delivery succeeds, and is replaced by a new dead letter (state `dead`) when it fails again.""")
    @APIResponse(
            responseCode = "202",
            description = "replay requested",
            content =
                    @Content(
                            schema = @Schema(implementation = DeadLetterView.class),
                            examples = @ExampleObject(name = "replay requested", value = """
                    {"id": 17, "state": "replay_requested", "replay_requested_at": "2026-12-07 09:30:00", \
                    "replay_requested_by": "alice"}""")))
    @APIResponse(responseCode = "404", description = "unknown, or not the caller's")
    @APIResponse(responseCode = "409", description = "a replay is requested already, or the kind is not replayable")
    public Response replay(@PathParam("id") String id) {
        return Response.accepted(DeadLetterView.of(deadLetters.replay(caller.get(), PathIds.id(id, "id"))))
                .build();
    }
}
