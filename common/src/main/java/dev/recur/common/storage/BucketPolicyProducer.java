package dev.recur.common.storage;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The deployment's {@link BucketPolicy}: {@code recur.results.bucket} is the system's bucket,
 * {@code recur.storage.allowed-buckets} the patterns a tenant's bucket must match (unset: any other bucket). Made at
 * start-up, so a malformed pattern stops the service with a message naming it.
 */
@Singleton
public class BucketPolicyProducer {

    @Produces
    @Singleton
    BucketPolicy bucketPolicy(
            ResultsBucket results,
            @ConfigProperty(name = "recur.storage.allowed-buckets") Optional<List<String>> allowed) {
        return new BucketPolicy(Set.of(results.name()), allowed.orElse(List.of()));
    }

    void verifyAtStartup(@Observes StartupEvent event, BucketPolicy policy) {
        // resolving the bean builds it: a malformed pattern fails the start here
        policy.toString();
    }
}
