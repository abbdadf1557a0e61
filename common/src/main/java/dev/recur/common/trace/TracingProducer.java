package dev.recur.common.trace;

import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The {@link Tracing} of a service, from the OpenTelemetry that quarkus-opentelemetry configures. Unremovable: code
 * that Quarkus does not create (a JPA entity's callback) looks it up.
 */
@Singleton
public class TracingProducer {

    @Produces
    @Singleton
    @Unremovable
    Tracing tracing(Instance<OpenTelemetry> openTelemetry) {
        return openTelemetry.isResolvable() ? new Tracing(openTelemetry.get()) : Tracing.off();
    }
}
