package dev.recur.scheduleapi.rest;

import dev.recur.scheduleapi.service.TenantBucketService;
import dev.recur.scheduleapi.service.UserService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** (ext) The caller's own account: its id is what {@code PUT /v1/admin/users/{id}/password} takes. */
@Path("/v1/users/me")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Administration")
public class AccountResource {

    @Inject
    UserService users;

    @Inject
    CurrentCaller caller;

    @Inject
    TenantBucketService buckets;

    @GET
    @Operation(summary = "The caller's own user")
    public AdminResource.UserView me() {
        return AdminResource.UserView.of(users.get(caller.id()));
    }

    @GET
    @Path("/buckets")
    @Operation(
            summary = "(ext) The caller's bucket list (read-only: administrators set it)",
            description = TenantBucketResource.RULES)
    @APIResponse(
            responseCode = "200",
            description = "the list; restricted false when the caller has none",
            content =
                    @Content(
                            schema =
                                    @org.eclipse.microprofile.openapi.annotations.media.Schema(
                                            implementation = TenantBucketResource.BucketListView.class),
                            examples = {
                                @ExampleObject(name = "list", value = TenantBucketResource.LIST_EXAMPLE),
                                @ExampleObject(name = "no list", value = TenantBucketResource.NO_LIST_EXAMPLE)
                            }))
    public TenantBucketResource.BucketListView buckets() {
        return TenantBucketResource.view(caller.id(), buckets.get(caller.id()));
    }
}
