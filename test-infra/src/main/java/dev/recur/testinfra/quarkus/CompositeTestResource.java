package dev.recur.testinfra.quarkus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Several test resources as one, so that a service's Quarkus tests carry a single
 * {@code @QuarkusTestResource(TheServicesResources.class)}: a subclass in the service's tests names what the service
 * needs (Kafka, its database, its buckets, its fakes) with their init arguments. The parts start in the order given,
 * their settings merged (a later part's setting wins), and stop in reverse order.
 */
public abstract class CompositeTestResource implements QuarkusTestResourceLifecycleManager {

    /** A resource and its init arguments. */
    public record Part(QuarkusTestResourceLifecycleManager resource, Map<String, String> initArgs) {

        public static Part of(QuarkusTestResourceLifecycleManager resource) {
            return new Part(resource, Map.of());
        }

        public static Part of(QuarkusTestResourceLifecycleManager resource, String arg, String value) {
            return new Part(resource, Map.of(arg, value));
        }
    }

    private final List<Part> parts;

    protected CompositeTestResource(Part... parts) {
        this.parts = List.of(parts);
    }

    @Override
    public void setContext(Context context) {
        parts.forEach(part -> part.resource().setContext(context));
    }

    @Override
    public void init(Map<String, String> initArgs) {
        parts.forEach(part -> part.resource().init(part.initArgs()));
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> settings = new LinkedHashMap<>();
        parts.forEach(part -> settings.putAll(part.resource().start()));
        return settings;
    }

    @Override
    public void inject(TestInjector injector) {
        parts.forEach(part -> part.resource().inject(injector));
    }

    @Override
    public void stop() {
        List<Part> reversed = new ArrayList<>(parts);
        Collections.reverse(reversed);
        RuntimeException first = null;
        for (Part part : reversed) {
            try {
                part.resource().stop();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
