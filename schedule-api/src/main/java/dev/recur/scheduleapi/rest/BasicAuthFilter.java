package dev.recur.scheduleapi.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.recur.scheduleapi.service.Caller;
import dev.recur.scheduleapi.service.UserService;

/**
 * HTTP Basic on every /v1 endpoint. A filter rather than Quarkus' built-in mechanism so that a 401 carries
 * the API's error body; it runs on the endpoint's worker thread, where the bcrypt check may block.
 */
public class BasicAuthFilter {

    private static final String CHALLENGE = "Basic realm=\"recur\"";

    @Inject
    UserService users;

    @Inject
    CurrentCaller currentCaller;

    @ServerRequestFilter
    public Optional<Response> authenticate(ContainerRequestContext request) {
        Optional<Caller> caller = credentials(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (caller.isEmpty()) {
            return Optional.of(Response.status(401)
                    .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ErrorBody.of("missing or invalid credentials; use HTTP Basic authentication"))
                    .build());
        }
        currentCaller.set(caller.get());
        return Optional.empty();
    }

    private Optional<Caller> credentials(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        return users.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
    }
}
