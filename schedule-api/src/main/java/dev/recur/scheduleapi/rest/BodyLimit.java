package dev.recur.scheduleapi.rest;

import dev.recur.common.json.EventJson;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a declared body above {@code quarkus.http.limits.max-body-size} with 413 and the API's error body
 * before anything reads it; the HTTP layer's own check would answer without a body.
 */
@Singleton
public class BodyLimit {

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M")
    MemorySize maxBodySize;

    void install(@Observes Router router) {
        long max = maxBodySize.asLongValue();
        String body = EventJson.mapper()
                .valueToTree(ErrorBody.of("the request body is larger than " + max + " bytes"))
                .toString();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && isAbove(length, max)) {
                ctx.response()
                        .setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(body);
                return;
            }
            ctx.next();
        });
    }

    private static boolean isAbove(String length, long max) {
        try {
            return Long.parseLong(length.trim()) > max;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
