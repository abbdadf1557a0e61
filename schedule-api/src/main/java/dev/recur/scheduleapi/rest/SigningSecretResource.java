package dev.recur.scheduleapi.rest;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.service.ApiException;
import dev.recur.scheduleapi.service.SigningSecretService;
import dev.recur.scheduleapi.service.SigningSecretService.Issued;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
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

/** (ext) The caller's callback signing secret: create, rotate, inspect, remove. */
@Path("/v1/signing-secret")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Callback signatures", description = """
        Every callback carries `X-Recur-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The key is \
        the caller's own signing secret once created here, otherwise the deployment's key. A receiver recomputes the \
        HMAC over the timestamp, a dot and the raw body, compares it with each `v1` in constant time and refuses a \
        `t` more than 5 minutes from its clock (code in Python and Java: docs/callbacks.md). During a rotation window \
        the header carries one `v1` per valid secret.""")
public class SigningSecretResource {

    @Inject
    SigningSecretService secrets;

    @Inject
    CurrentCaller caller;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "(ext) Create or rotate the caller's callback signing secret; the secret is shown only here",
            description = """
                    Creates a new secret and makes it the one callbacks are signed with. The secret it replaces keeps \
                    signing too (a second `v1` in the header) for `previous_valid_for_seconds` (default 86400, at most \
                    604800; 0 ends it at once), so that receivers can switch without refusing callbacks. The answer \
                    is the only place the secret is ever shown.""")
    @RequestBody(
            content =
                    @Content(
                            schema = @Schema(implementation = RequestBodies.SigningSecret.class),
                            examples =
                                    @ExampleObject(
                                            name = "rotate, old secret valid one more hour",
                                            value = "{\"previous_valid_for_seconds\": 3600}")))
    @APIResponse(
            responseCode = "201",
            description = "created",
            content =
                    @Content(
                            schema = @Schema(implementation = Responses.SigningSecret.class),
                            examples = @ExampleObject(name = "created", value = """
                    {"secret_id": "ss_3f9a1c2b7d4e5f60", "secret": "whsec_…", "created_at": "2026-12-07 06:00:00", \
                    "previous_secret_id": "ss_0a1b2c3d4e5f6071", "previous_valid_until": "2026-12-07 07:00:00"}""")))
    @APIResponse(responseCode = "400", description = "invalid previous_valid_for_seconds")
    public Response rotate(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ApiException(400, "the request body must be a JSON object", java.util.List.of());
        }
        Duration window = SigningSecretService.DEFAULT_ROTATION_WINDOW;
        JsonNode seconds = body.get("previous_valid_for_seconds");
        if (seconds != null && !seconds.isNull()) {
            if (!seconds.canConvertToLong()
                    || !seconds.isIntegralNumber()
                    || seconds.asLong() < 0
                    || seconds.asLong() > SigningSecretService.MAX_ROTATION_WINDOW.toSeconds()) {
                throw ApiException.invalid(
                        "previous_valid_for_seconds",
                        "must be a whole number of seconds from 0 to "
                                + SigningSecretService.MAX_ROTATION_WINDOW.toSeconds());
            }
            window = Duration.ofSeconds(seconds.asLong());
        }
        return Response.status(201)
                .entity(view(secrets.rotate(caller.username(), window)))
                .build();
    }

    @GET
    @Operation(summary = "(ext) The caller's signing secret, without its value")
    @APIResponse(
            responseCode = "200",
            description = "the secret's id and times",
            content =
                    @Content(
                            schema = @Schema(implementation = Responses.SigningSecret.class),
                            examples = @ExampleObject(name = "secret", value = """
                    {"secret_id": "ss_3f9a1c2b7d4e5f60", "created_at": "2026-12-07 06:00:00"}""")))
    @APIResponse(responseCode = "404", description = "none: callbacks are signed with the deployment's key")
    public Responses.SigningSecret get() {
        return view(secrets.get(caller.username()).orElseThrow(() -> ApiException.notFound("signing secret")));
    }

    @DELETE
    @Operation(summary = "(ext) Remove the caller's signing secrets; callbacks are signed with the deployment's key")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "404", description = "there was none")
    public Response delete() {
        if (!secrets.delete(caller.username())) {
            throw ApiException.notFound("signing secret");
        }
        return Response.noContent().build();
    }

    private static Responses.SigningSecret view(Issued issued) {
        boolean previous = issued.previousSecretId() != null;
        return new Responses.SigningSecret(
                issued.secretId(),
                issued.secret(),
                ApiTime.format(issued.createdAt()),
                issued.previousSecretId(),
                previous ? ApiTime.format(issued.previousValidUntil()) : null);
    }
}
