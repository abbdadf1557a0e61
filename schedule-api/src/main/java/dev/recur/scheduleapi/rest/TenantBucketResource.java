package dev.recur.scheduleapi.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.TenantBucketService;
import dev.recur.scheduleapi.service.TenantBucketService.Listed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * (ext) A user's bucket list, managed by administrators: the buckets the user's items may name in
 * {@code storage_url}. The user reads its own with {@code GET /v1/users/me/buckets} ({@link AccountResource}).
 */
@Path("/v1/admin/users/{id}/buckets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Administration")
public class TenantBucketResource {

    static final String LIST_EXAMPLE = """
            {"user_id": 7, "restricted": true, "buckets": ["s3://acme-results", "s3://acme-*", "gs://acme-archive"],
             "updated_at": "2026-12-07 09:00:00"}""";
    static final String NO_LIST_EXAMPLE = """
            {"user_id": 7, "restricted": false, "buckets": []}""";
    static final String RULES = """
            Without a list (the default) a user's items may name any bucket the deployment allows \
            (recur.storage.allowed-buckets), never the deployment's own. With a list, only the buckets it names: \
            entries are s3://bucket or gs://bucket, '*' matching any characters (s3://acme-*); an s3:// entry allows \
            storage_type s3 only, a gs:// entry gcs only; an empty list allows none. A create or replace whose items \
            name another bucket is refused (400, field items[i].storage_url). Delivery checks the list again before \
            every upload: an existing schedule that names a bucket the list no longer allows keeps running, but its \
            uploads there are refused (dead-lettered at the first attempt) until the list or the schedule changes.""";

    @Inject
    TenantBucketService buckets;

    @Inject
    CurrentCaller caller;

    @GET
    @Operation(summary = "(ext) A user's bucket list", description = RULES)
    @APIResponse(
            responseCode = "200",
            description = "the list; restricted false when the user has none",
            content =
                    @Content(
                            schema = @Schema(implementation = BucketListView.class),
                            examples = {
                                @ExampleObject(name = "list", value = LIST_EXAMPLE),
                                @ExampleObject(name = "no list", value = NO_LIST_EXAMPLE)
                            }))
    @APIResponse(responseCode = "403", description = "the caller is not an administrator")
    @APIResponse(responseCode = "404", description = "no such user")
    public BucketListView get(@PathParam("id") String id) {
        caller.admin();
        long userId = PathIds.id(id, "user_id");
        return view(userId, buckets.get(userId));
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "(ext) Set a user's bucket list", description = RULES + """
             The answer lists in schedules_outside the user's schedules that name a bucket the new list does not \
            allow.""")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema = @Schema(implementation = BucketListBody.class),
                            examples =
                                    @ExampleObject(
                                            name = "list",
                                            value =
                                                    "{\"buckets\": [\"s3://acme-results\", \"s3://acme-*\", \"gs://acme-archive\"]}")))
    @APIResponse(
            responseCode = "200",
            description = "the list, and the user's schedules outside it",
            content =
                    @Content(
                            schema = @Schema(implementation = BucketListView.class),
                            examples = @ExampleObject(name = "set", value = """
                    {"user_id": 7, "restricted": true, "buckets": ["s3://acme-results"],
                     "updated_at": "2026-12-07 09:00:00", "schedules_outside": [3809594044634907291]}""")))
    @APIResponse(
            responseCode = "400",
            description = "not a list of s3:// or gs:// bucket names or patterns; the "
                    + "field names the entry (buckets[i])")
    @APIResponse(responseCode = "403", description = "the caller is not an administrator")
    @APIResponse(responseCode = "404", description = "no such user")
    public BucketListView set(@PathParam("id") String id, JsonNode body) {
        caller.admin();
        long userId = PathIds.id(id, "user_id");
        JsonNode list = body == null || !body.isObject() ? null : body.get("buckets");
        if (list == null || !list.isArray()) {
            throw ApiException.invalid("buckets", "is required: a list of s3://bucket or gs://bucket entries");
        }
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!list.get(i).isTextual()) {
                throw ApiException.invalid("buckets[" + i + "]", "must be a string");
            }
            entries.add(list.get(i).textValue());
        }
        TenantBucketService.Changed changed = buckets.set(userId, entries);
        return view(userId, Optional.of(changed.list())).withSchedulesOutside(changed.schedulesOutside());
    }

    @DELETE
    @Operation(summary = "(ext) Remove a user's bucket list: any bucket the deployment allows again")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "403", description = "the caller is not an administrator")
    @APIResponse(responseCode = "404", description = "no such user, or it has no list")
    public Response remove(@PathParam("id") String id) {
        caller.admin();
        if (!buckets.remove(PathIds.id(id, "user_id"))) {
            throw ApiException.notFound("bucket list");
        }
        return Response.noContent().build();
    }

    static BucketListView view(long userId, Optional<Listed> listed) {
        return new BucketListView(
                userId,
                listed.isPresent(),
                listed.map(Listed::buckets).orElse(List.of()),
                listed.map(l -> ApiTime.format(l.updatedAt())).orElse(null),
                null);
    }

    /** A user's bucket list as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BucketListView(
            @JsonProperty("user_id") long userId,

            @Schema(description = "false: the user has no list and may name any bucket the deployment allows")
            @JsonProperty("restricted")
            boolean restricted,

            @Schema(description = "s3://bucket or gs://bucket entries, '*' matching any characters")
            @JsonProperty("buckets")
            List<String> buckets,

            @JsonProperty("updated_at") String updatedAt,

            @Schema(
                    description = "only in the answer to PUT: the user's schedules naming a bucket the list does not"
                            + " allow")
            @JsonProperty("schedules_outside")
            List<Long> schedulesOutside) {

        BucketListView withSchedulesOutside(List<Long> ids) {
            return new BucketListView(userId, restricted, buckets, updatedAt, ids);
        }
    }

    /** The body of {@code PUT}: the whole list. */
    public record BucketListBody(@JsonProperty("buckets") List<String> buckets) {}
}
