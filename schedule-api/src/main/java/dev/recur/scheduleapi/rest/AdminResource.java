package dev.recur.scheduleapi.rest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.Caller;
import dev.recur.scheduleapi.service.FieldError;
import dev.recur.scheduleapi.service.UserService;

/** (ext) User administration, for administrators only. */
@Path("/v1/admin/users")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Administration")
public class AdminResource {

    static final int MIN_PASSWORD_LENGTH = 8;
    // bcrypt reads at most 72 bytes of a password; a longer one would be silently truncated
    static final int MAX_PASSWORD_BYTES = 72;

    @Inject
    UserService users;

    @Inject
    CurrentCaller caller;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add a user")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "user",
            value = "{\"username\": \"alice\", \"password\": \"correct horse battery\", \"admin\": false}")))
    public Response addUser(JsonNode body) {
        if (!caller.get().admin()) {
            throw new ApiException(403, "only administrators may add users", List.of());
        }
        if (body == null || !body.isObject()) {
            throw new ApiException(400, "the request body must be a JSON object", List.of());
        }
        List<FieldError> errors = new ArrayList<>();
        JsonNode username = body.get("username");
        if (username == null || !username.isTextual() || !username.textValue().matches("[A-Za-z0-9._@-]{1,64}")) {
            errors.add(new FieldError("username", "is required: 1 to 64 letters, digits, '.', '_', '@' or '-'"));
        }
        JsonNode password = body.get("password");
        if (password == null || !password.isTextual() || password.textValue().length() < MIN_PASSWORD_LENGTH
                || password.textValue().getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            errors.add(new FieldError("password", "is required: " + MIN_PASSWORD_LENGTH + " characters to "
                    + MAX_PASSWORD_BYTES + " bytes"));
        }
        JsonNode admin = body.get("admin");
        if (admin != null && !admin.isNull() && !admin.isBoolean()) {
            errors.add(new FieldError("admin", "must be true or false"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        Caller created = users.addUser(username.textValue(), password.textValue(), admin != null && admin.asBoolean());
        return Response.status(201).entity(Map.of("username", created.username(), "admin", created.admin())).build();
    }
}
