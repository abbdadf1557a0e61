package dev.recur.scheduleapi.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.recur.scheduleapi.service.UserService;

/** (ext) The caller's own account: its id is what {@code PUT /v1/admin/users/{id}/password} takes. */
@Path("/v1/users/me")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Administration")
public class AccountResource {

    @Inject
    UserService users;

    @Inject
    CurrentCaller caller;

    @GET
    @Operation(summary = "The caller's own user")
    public AdminResource.UserView me() {
        return AdminResource.UserView.of(users.get(caller.id()));
    }
}
