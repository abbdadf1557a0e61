package dev.recur.scheduleapi.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.DeadLetterService;
import dev.recur.scheduleapi.service.DeadLetterService.DeadLetter;
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
    @Operation(summary = "(ext) The caller's dead letters, newest first (page, limit); an administrator's: everyone's")
    @APIResponse(
            responseCode = "200",
            description = "a page of dead letters and the number of all",
            content =
                    @Content(
                            examples =
                                    @ExampleObject(
                                            name = "dead letters",
                                            value = "{\"dead_letters\": [" + EXAMPLE + "], \"total\": 1}")))
    @APIResponse(responseCode = "400", description = "invalid page or limit")
    public Map<String, Object> list(@QueryParam("page") String page, @QueryParam("limit") String limit) {
        DeadLetterService.Page found =
                deadLetters.list(caller.get(), PathIds.page(page), PathIds.limit(limit, 50, config.maxPageSize()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "dead_letters",
                found.rows().stream().map(DeadLetterResource::view).toList());
        body.put("total", found.total());
        return body;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "(ext) A dead letter")
    @APIResponse(
            responseCode = "200",
            description = "the dead letter",
            content = @Content(examples = @ExampleObject(name = "dead letter", value = EXAMPLE)))
    @APIResponse(responseCode = "404", description = "unknown, or not the caller's")
    public Map<String, Object> get(@PathParam("id") String id) {
        long letterId = PathIds.id(id, "id");
        return view(deadLetters
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
            content = @Content(examples = @ExampleObject(name = "replay requested", value = """
                    {"id": 17, "state": "replay_requested", "replay_requested_at": "2026-12-07 09:30:00", \
                    "replay_requested_by": "alice"}""")))
    @APIResponse(responseCode = "404", description = "unknown, or not the caller's")
    @APIResponse(responseCode = "409", description = "a replay is requested already, or the kind is not replayable")
    public Response replay(@PathParam("id") String id) {
        return Response.accepted(view(deadLetters.replay(caller.get(), PathIds.id(id, "id"))))
                .build();
    }

    static Map<String, Object> view(DeadLetter d) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", d.id());
        view.put("job_id", d.jobId());
        view.put("job_id_str", Long.toString(d.jobId()));
        view.put("schedule_id", d.scheduleId());
        view.put("schedule_id_str", Long.toString(d.scheduleId()));
        view.put("run_id", d.runId());
        view.put("run_id_str", Long.toString(d.runId()));
        view.put("owner", d.owner());
        view.put("kind", DeadLetterService.kindName(d.kind()));
        view.put("target", d.target());
        view.put("attempts", d.attempts());
        view.put("first_attempt_at", ApiTime.format(d.firstAttemptAt()));
        view.put("last_attempt_at", ApiTime.format(d.lastAttemptAt()));
        view.put("last_status_code", d.lastStatusCode());
        view.put("reason", d.reason());
        view.put("state", d.state());
        if (d.replayId() != null) {
            view.put("replay_id", d.replayId());
            view.put("replay_requested_at", ApiTime.format(d.replayRequestedAt()));
            view.put("replay_requested_by", d.replayRequestedBy());
        }
        return view;
    }
}
