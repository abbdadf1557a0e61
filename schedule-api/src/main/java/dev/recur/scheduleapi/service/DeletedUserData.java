package dev.recur.scheduleapi.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * What is kept per username goes with a deleted user, in the deleting transaction: a new user given the same
 * username must not inherit it. The callback signing secret is keyed by the owner as the events carry it (the
 * username), so it is removed (callbacks of any schedule left would be signed with the deployment's key).
 */
@ApplicationScoped
public class DeletedUserData {

    @Inject
    SigningSecretService signingSecrets;

    void onUserDeleted(@Observes UserDeleted deleted) {
        signingSecrets.delete(deleted.username());
    }
}
