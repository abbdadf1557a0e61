package dev.recur.common.seal;

import java.util.Optional;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The deployment's {@link CallbackSeal}, from {@value CallbackSeal#SETTING}. Only job-runner (which seals) and delivery
 * (which opens) inject it, at start-up: a missing or malformed setting stops them with a message naming it.
 */
@Singleton
public class CallbackSealProducer {

    @Produces
    @Singleton
    CallbackSeal callbackSeal(@ConfigProperty(name = CallbackSeal.SETTING) Optional<String> secrets) {
        return CallbackSeal.parse(secrets.orElse(null));
    }
}
