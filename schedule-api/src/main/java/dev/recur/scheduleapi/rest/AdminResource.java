package dev.recur.scheduleapi.rest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.domain.AppUser;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.Caller;
import dev.recur.scheduleapi.service.FieldError;
import dev.recur.scheduleapi.service.Slice;
import dev.recur.scheduleapi.service.UserService;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * (ext) User administration, for administrators only (a user may change its own password). Users are addressed by
 * their id: it owns their schedules and is never given to another user, while a deleted user's username may be.
 */
@Path("/v1/admin/users")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Administration")
public class AdminResource {

    static final int MIN_PASSWORD_LENGTH = 8;
    // bcrypt reads at most 72 bytes of a password; a longer one would be silently truncated
    static final int MAX_PASSWORD_BYTES = 72;
    private static final String USER_EXAMPLE = """
            {"id": 7, "username": "alice", "admin": false, "enabled": true, "active_schedules": 3,
             "created_at": "2026-12-07 05:50:00"}""";

    @Inject
    UserService users;

    @Inject
    CurrentCaller caller;

    @Inject
    ScheduleApiConfig config;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a user")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema = @Schema(implementation = RequestBodies.NewUser.class),
                            examples =
                                    @ExampleObject(
                                            name = "user",
                                            value =
                                                    "{\"username\": \"alice\", \"password\": \"correct horse battery\", \"admin\": false}")))
    @APIResponse(
            responseCode = "201",
            description = "the user",
            content =
                    @Content(
                            schema = @Schema(implementation = UserView.class),
                            examples = @ExampleObject(name = "user", value = USER_EXAMPLE)))
    @APIResponse(responseCode = "403", description = "the caller is not an administrator")
    @APIResponse(responseCode = "409", description = "a user of that name exists")
    public Response addUser(JsonNode body) {
        caller.admin();
        if (body == null || !body.isObject()) {
            throw new ApiException(400, "the request body must be a JSON object", List.of());
        }
        List<FieldError> errors = new ArrayList<>();
        JsonNode username = body.get("username");
        if (username == null || !username.isTextual() || !username.textValue().matches("[A-Za-z0-9._@-]{1,64}")) {
            errors.add(new FieldError("username", "is required: 1 to 64 letters, digits, '.', '_', '@' or '-'"));
        }
        JsonNode password = body.get("password");
        if (!validPassword(password)) {
            errors.add(passwordError());
        }
        JsonNode admin = body.get("admin");
        if (admin != null && !admin.isNull() && !admin.isBoolean()) {
            errors.add(new FieldError("admin", "must be true or false"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        Caller created = users.addUser(username.textValue(), password.textValue(), admin != null && admin.asBoolean());
        return Response.status(201).entity(UserView.of(users.get(created.id()))).build();
    }

    @GET
    @Operation(summary = "List users in id order", description = """
            Paginated as schedules: limit (default and most: recur.schedule-api.max-page-size) and cursor, the \
            previous page's next_cursor; after=<id> (the users after that id) works too, not with cursor.""")
    @APIResponse(
            responseCode = "200",
            description = "a page of users",
            content =
                    @Content(
                            schema = @Schema(implementation = Responses.Users.class),
                            examples =
                                    @ExampleObject(
                                            name = "users",
                                            value = "{\"users\": [" + USER_EXAMPLE + "], \"next_cursor\": \"7\"}")))
    @APIResponse(responseCode = "400", description = "invalid limit, after or cursor")
    @APIResponse(responseCode = "403", description = "the caller is not an administrator")
    public Responses.Users list(
            @QueryParam("limit") String limit, @QueryParam("after") String after, @QueryParam("cursor") String cursor) {
        caller.admin();
        int size = PathIds.limit(limit, config.maxPageSize(), config.maxPageSize());
        Slice<AppUser> page = Slice.of(users.list(Cursors.afterId(cursor, after), size + 1), size);
        return new Responses.Users(
                page.rows().stream().map(UserView::of).toList(), Cursors.next(page, user -> Cursors.ofId(user.id)));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Get a user")
    @APIResponse(
            responseCode = "200",
            description = "the user",
            content =
                    @Content(
                            schema = @Schema(implementation = UserView.class),
                            examples = @ExampleObject(name = "user", value = USER_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "no such user")
    public UserView get(@PathParam("id") String id) {
        caller.admin();
        return UserView.of(users.get(PathIds.id(id, "user_id")));
    }

    @PUT
    @Path("/{id}/state")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Disable or enable a user", description = """
            A disabled user's credentials fail at once on every replica (401); its schedules keep running. An
            administrator cannot disable itself.""")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema = @Schema(implementation = RequestBodies.UserState.class),
                            examples = @ExampleObject(name = "disable", value = "{\"enabled\": false}")))
    @APIResponse(
            responseCode = "200",
            description = "the user",
            content =
                    @Content(
                            schema = @Schema(implementation = UserView.class),
                            examples = @ExampleObject(name = "user", value = USER_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "no such user")
    @APIResponse(responseCode = "409", description = "the caller itself")
    public UserView changeState(@PathParam("id") String id, JsonNode body) {
        caller.admin();
        long userId = PathIds.id(id, "user_id");
        JsonNode enabled = body == null ? null : body.get("enabled");
        if (enabled == null || !enabled.isBoolean()) {
            throw ApiException.invalid("enabled", "is required: true or false");
        }
        return UserView.of(users.setEnabled(userId, enabled.booleanValue(), caller.get()));
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a user and its schedules", description = """
            First disables the user (its credentials fail at once on every replica) and pauses its active
            schedules, then deletes its schedules (the ticker drops them) and the user. Its id is never reused; its
            username may be given to a new user, who inherits nothing. An administrator cannot delete itself.""")
    @APIResponse(responseCode = "204", description = "deleted")
    @APIResponse(responseCode = "404", description = "no such user")
    @APIResponse(responseCode = "409", description = "the caller itself")
    public Response delete(@PathParam("id") String id) {
        caller.admin();
        users.delete(PathIds.id(id, "user_id"), caller.get());
        return Response.noContent().build();
    }

    @PUT
    @Path("/{id}/password")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a user's password (administrators: any user's; users: their own)", description = """
            The old password fails at once on every replica.""")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            schema = @Schema(implementation = RequestBodies.Password.class),
                            examples =
                                    @ExampleObject(
                                            name = "password",
                                            value = "{\"password\": \"another horse battery\"}")))
    @APIResponse(responseCode = "204", description = "changed")
    @APIResponse(responseCode = "403", description = "another user's, and the caller is not an administrator")
    @APIResponse(responseCode = "404", description = "no such user")
    public Response changePassword(@PathParam("id") String id, JsonNode body) {
        long userId = PathIds.id(id, "user_id");
        if (!caller.get().admin() && caller.id() != userId) {
            throw new ApiException(403, "only administrators may change another user's password", List.of());
        }
        JsonNode password = body == null ? null : body.get("password");
        if (!validPassword(password)) {
            throw ApiException.invalid(List.of(passwordError()));
        }
        users.changePassword(userId, password.textValue());
        return Response.noContent().build();
    }

    static boolean validPassword(JsonNode password) {
        return password != null
                && password.isTextual()
                && password.textValue().length() >= MIN_PASSWORD_LENGTH
                && password.textValue().getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES;
    }

    static FieldError passwordError() {
        return new FieldError(
                "password", "is required: " + MIN_PASSWORD_LENGTH + " characters to " + MAX_PASSWORD_BYTES + " bytes");
    }

    /** A user as the API shows it: never its password hash. */
    public record UserView(
            @JsonProperty("id") long id,
            @JsonProperty("username") String username,
            @JsonProperty("admin") boolean admin,
            @JsonProperty("enabled") boolean enabled,
            @JsonProperty("active_schedules") int activeSchedules,
            @JsonProperty("created_at") String createdAt) {

        static UserView of(AppUser user) {
            return new UserView(
                    user.id,
                    user.username,
                    user.admin,
                    user.enabled,
                    user.activeSchedules,
                    user.createdAt == null ? null : ApiTime.format(user.createdAt));
        }
    }
}
