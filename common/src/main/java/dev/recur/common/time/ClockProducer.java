package dev.recur.common.time;

import java.time.Clock;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Every service's notion of now: the UTC wall clock, as one bean. Code takes time from the injected clock, never
 * from {@code Instant.now()}, so that a test or an embedding can supply another clock (a bean of type
 * {@link Clock} replaces this default).
 */
@Singleton
public class ClockProducer {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
