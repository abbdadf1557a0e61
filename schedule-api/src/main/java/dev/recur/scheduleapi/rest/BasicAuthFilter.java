package dev.recur.scheduleapi.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import dev.recur.scheduleapi.service.Caller;
import dev.recur.scheduleapi.service.UserService;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * HTTP Basic on every /v1 endpoint. A filter rather than Quarkus' built-in mechanism so that a 401 (and a 429) carries
 * the API's error body. It runs on the endpoint's thread: a worker for most endpoints, the event loop for the
 * non-blocking {@code GET /v1/schedules/{id}} and {@code POST /v1/schedules}. Recently verified credentials cost one
 * primary-key read of the user's credentials version (on the non-blocking client on the event loop), so that a
 * changed password, a disabled or a deleted user fails at once on every replica; others need the user's row and
 * bcrypt, which move to a worker thread when the filter runs on the event loop, and are refused with 429 and
 * {@code Retry-After}, without bcrypt, while the username or the client address waits after failed logins
 * ({@link dev.recur.scheduleapi.service.LoginThrottle}). The client address is the connection's peer, or what
 * {@code quarkus.http.proxy.*} makes of forwarding headers behind a proxy.
 */
public class BasicAuthFilter {

    private static final String CHALLENGE = "Basic realm=\"recur\"";
    private static final String CALLER = BasicAuthFilter.class.getName() + ".caller";

    @Inject
    UserService users;

    @Inject
    CurrentCaller currentCaller;

    /** Leaves the verified caller in a request property, or answers 401 or 429; null (no answer) lets it go on. */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> authenticate(ContainerRequestContext request, HttpServerRequest http) {
        String[] credentials = credentials(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (credentials == null) {
            return Uni.createFrom().item(unauthorized());
        }
        String username = credentials[0];
        String password = credentials[1];
        String address =
                http.remoteAddress() == null ? null : http.remoteAddress().hostAddress();
        Optional<UserService.Verified> recent = users.recentlyVerified(username, password);
        boolean onEventLoop = Context.isOnEventLoopThread();
        if (recent.isPresent() && !onEventLoop) {
            if (users.stillCurrent(recent.get())) {
                request.setProperty(CALLER, recent.get().caller());
                return null;
            }
            users.forget(username, password);
        }
        if (recent.isPresent() && onEventLoop) {
            return users.stillCurrentNonBlocking(recent.get()).chain(current -> {
                if (current) {
                    request.setProperty(CALLER, recent.get().caller());
                    return Uni.createFrom().nullItem();
                }
                users.forget(username, password);
                return checkOnWorker(request, username, password, address);
            });
        }
        if (!onEventLoop) {
            return Uni.createFrom().item(answer(request, users.authenticate(username, password, address)));
        }
        return checkOnWorker(request, username, password, address);
    }

    private Uni<Response> checkOnWorker(
            ContainerRequestContext request, String username, String password, String address) {
        return Uni.createFrom()
                .item(() -> users.authenticate(username, password, address))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(login -> answer(request, login));
    }

    /**
     * Publishes the caller to the request-scoped {@link CurrentCaller}. A filter of its own: after a check on a
     * worker thread, the request scope is active again only once the request resumes, i.e. in the next filter.
     */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 1)
    public void publishCaller(ContainerRequestContext request) {
        currentCaller.set((Caller) request.getProperty(CALLER));
    }

    private static Response answer(ContainerRequestContext request, UserService.Login login) {
        if (login.throttled()) {
            long seconds = Math.max(1, (login.retryAfter().toMillis() + 999) / 1000);
            return Response.status(429)
                    .header(HttpHeaders.RETRY_AFTER, seconds)
                    .type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(ErrorBody.of(
                            "too many failed logins for this user or from this address; retry after " + seconds + " s"))
                    .build();
        }
        if (login.caller() == null) {
            return unauthorized();
        }
        request.setProperty(CALLER, login.caller());
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
