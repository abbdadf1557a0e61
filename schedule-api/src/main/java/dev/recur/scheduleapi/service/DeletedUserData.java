package dev.recur.scheduleapi.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * What is kept per username goes with a deleted user, in the deleting transaction: a new user given the same
 * username must not inherit it. The callback signing secret is keyed by the owner as the events carry it (the
 * username), so it is removed (callbacks of any schedule left would be signed with the deployment's key). So is the
 * user's bucket list on the topic delivery reads it from (its row goes with the user's).
 */
@ApplicationScoped
public class DeletedUserData {

    @Inject
    SigningSecretService signingSecrets;

    @Inject
    TenantBucketService tenantBuckets;

    void onUserDeleted(@Observes UserDeleted deleted) {
        signingSecrets.delete(deleted.username());
        tenantBuckets.tombstone(deleted.username());
    }
}
