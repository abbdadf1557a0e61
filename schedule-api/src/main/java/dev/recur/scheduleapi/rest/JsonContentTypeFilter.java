package dev.recur.scheduleapi.rest;

import java.util.Optional;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A body that does not say it is JSON is a 415, including one without any Content-Type: JAX-RS would
 * otherwise read such a body as if it were JSON.
 */
public class JsonContentTypeFilter {

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> requireJson(ContainerRequestContext request) {
        String method = request.getMethod();
        if (!"POST".equals(method) && !"PUT".equals(method)) {
            return Optional.empty();
        }
        MediaType type;
        try {
            type = request.getMediaType();
        } catch (IllegalArgumentException e) {
            type = null;
        }
        if (type != null
                && "application".equals(type.getType())
                && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"))) {
            return Optional.empty();
        }
        return Optional.of(ExceptionMappers.error(
                415, ErrorBody.of("the request body must be JSON (Content-Type: application/json)")));
    }
}
