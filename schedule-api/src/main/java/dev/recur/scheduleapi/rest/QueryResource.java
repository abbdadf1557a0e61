package dev.recur.scheduleapi.rest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobStatus;
import dev.recur.scheduleapi.domain.JobHistoryEntry;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.ReadModelService;
import dev.recur.scheduleapi.storage.ResultStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The job part of the Oxylabs push-pull API. */
@Path("/v1/queries/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs")
public class QueryResource {

    private static final byte[] NO_RESULTS = "{\"results\":[]}".getBytes(StandardCharsets.UTF_8);

    @Inject
    ReadModelService readModel;

    @Inject
    ResultStore results;

    @Inject
    CurrentCaller caller;

    @GET
    @Operation(summary = "The job object")
    @APIResponse(
            responseCode = "200",
            description = "the job object",
            content = @Content(schema = @Schema(implementation = Responses.JobObject.class)))
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    public ObjectNode job(@PathParam("id") String id, @Context UriInfo uri) {
        return HistoryViews.queryJob(owned(id), uri.getBaseUri().toString());
    }

    @GET
    @Path("/results")
    @Operation(summary = "The job's result pages")
    @APIResponse(
            responseCode = "200",
            description = "the result pages; an empty list for a job that faulted without any",
            content = @Content(schema = @Schema(implementation = Responses.Results.class)))
    @APIResponse(responseCode = "204", description = "no results yet: the job is pending")
    @APIResponse(responseCode = "404", description = "unknown or not yours")
    public Response results(@PathParam("id") String id) {
        JobHistoryEntry job = owned(id);
        Optional<ResultStore.OpenResults> pages = results.open(results.location(job));
        if (pages.isPresent()) {
            // streamed from the results bucket as it is read: a document of tens of megabytes is never held whole
            ResultStore.OpenResults open = pages.get();
            StreamingOutput body = out -> {
                try (open) {
                    open.content().transferTo(out);
                }
            };
            return Response.ok(body, MediaType.APPLICATION_JSON_TYPE)
                    .header("Content-Length", open.length())
                    .build();
        }
        if (job.resultStatus == JobStatus.FAULTED) {
            // finished for good without a page: an empty list, not "come back later"
            return Response.ok(NO_RESULTS, MediaType.APPLICATION_JSON_TYPE).build();
        }
        // done, but its pages are not readable in the results store yet: API.md's 204 "while pending"
        return Response.noContent().build();
    }

    private JobHistoryEntry owned(String id) {
        long jobId = PathIds.id(id, "job_id");
        return readModel.job(jobId, caller.id()).orElseThrow(() -> ApiException.notFound("job " + jobId));
    }
}
