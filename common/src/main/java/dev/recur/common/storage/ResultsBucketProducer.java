package dev.recur.common.storage;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The deployment's {@link ResultsBucket}, named by {@value ResultsBucket#SETTING}. */
@Singleton
public class ResultsBucketProducer {

    @Produces
    @Singleton
    ResultsBucket resultsBucket(@ConfigProperty(name = ResultsBucket.SETTING) String name) {
        return new ResultsBucket(name);
    }
}
