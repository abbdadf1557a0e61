package dev.recur.scheduleapi.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.recur.scheduleapi.service.Caller;
import dev.recur.scheduleapi.service.UserService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;

/**
 * HTTP Basic on every /v1 endpoint. A filter rather than Quarkus' built-in mechanism so that a 401 carries the API's
 * error body. It runs on the endpoint's thread: a worker for most endpoints, the event loop for the non-blocking
 * {@code GET /v1/schedules/{id}} and {@code POST /v1/schedules}. Recently verified credentials are checked without blocking; others need the user's
 * row and bcrypt, which move to a worker thread when the filter runs on the event loop.
 */
public class BasicAuthFilter {

    private static final String CHALLENGE = "Basic realm=\"recur\"";
    private static final String CALLER = BasicAuthFilter.class.getName() + ".caller";

    @Inject
    UserService users;

    @Inject
    CurrentCaller currentCaller;

    /** Leaves the verified caller in a request property, or answers 401; null (no answer) lets the request go on. */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> authenticate(ContainerRequestContext request) {
        String[] credentials = credentials(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (credentials == null) {
            return Uni.createFrom().item(unauthorized());
        }
        Optional<Caller> recent = users.recentlyVerified(credentials[0], credentials[1]);
        if (recent.isPresent()) {
            request.setProperty(CALLER, recent.get());
            return null;
        }
        if (!Context.isOnEventLoopThread()) {
            return Uni.createFrom().item(verified(request, users.authenticate(credentials[0], credentials[1])));
        }
        return Uni.createFrom().item(() -> users.authenticate(credentials[0], credentials[1]))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(caller -> verified(request, caller));
    }

    /**
     * Publishes the caller to the request-scoped {@link CurrentCaller}. A filter of its own: after a check on a
     * worker thread, the request scope is active again only once the request resumes, i.e. in the next filter.
     */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 1)
    public void publishCaller(ContainerRequestContext request) {
        currentCaller.set((Caller) request.getProperty(CALLER));
    }

    private static Response verified(ContainerRequestContext request, Optional<Caller> caller) {
        if (caller.isEmpty()) {
            return unauthorized();
        }
        request.setProperty(CALLER, caller.get());
        return null;
    }

    private static Response unauthorized() {
        return Response.status(401)
                .header(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorBody.of("missing or invalid credentials; use HTTP Basic authentication"))
                .build();
    }

    /** Username and password, or null when the header is missing or malformed. */
    private static String[] credentials(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }
}
