package dev.recur.testinfra.trace;

import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The span processor bean of a {@link TracedProfile} test: every span the service ends lands in
 * {@link TestTracing#SPANS} at once. A bean only where the profile has Quarkus index this module.
 */
@Singleton
public class TracedSpans {

    @Produces
    @Singleton
    SpanProcessor inMemory() {
        return TestTracing.processor();
    }
}
