package dev.recur.common.signing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.recur.common.event.SigningSecret;
import dev.recur.common.signing.CallbackSignature.Signer;

/**
 * The tenants' signing secrets as the records of {@code recur.signing-secrets} define them, applied in their order:
 * a record makes its secret the owner's current one and keeps the one it replaces valid until the record's
 * {@code previous_valid_until}; a tombstone removes the owner (back to the deployment's key). Safe for concurrent
 * readers while one thread applies records.
 */
public final class SigningKeyring {

    private record Key(String secretId, Signer signer, Instant validUntil) {}

    private final Map<String, List<Key>> byOwner = new ConcurrentHashMap<>();

    /** Applies the record of {@code owner}; null is a tombstone. */
    public void apply(String owner, SigningSecret record) {
        if (record == null) {
            byOwner.remove(owner);
            return;
        }
        byOwner.compute(owner, (o, keys) -> {
            Key current = keys == null ? null : keys.get(0);
            if (current != null && current.secretId().equals(record.secretId())) {
                // the same record again (a redelivery): nothing changes
                return keys;
            }
            List<Key> next = new ArrayList<>(2);
            next.add(new Key(record.secretId(), CallbackSignature.signer(record.secret()), null));
            if (current != null && record.previousValidUntil() != null) {
                next.add(new Key(current.secretId(), current.signer(), record.previousValidUntil()));
            }
            return List.copyOf(next);
        });
    }

    /** The owner's signers valid at {@code now}, the current one first; empty when the owner has no secret. */
    public List<Signer> signers(String owner, Instant now) {
        return valid(owner, now).stream().map(Key::signer).toList();
    }

    /** The ids of the owner's secrets valid at {@code now}, the current one first. */
    public List<String> secretIds(String owner, Instant now) {
        return valid(owner, now).stream().map(Key::secretId).toList();
    }

    private List<Key> valid(String owner, Instant now) {
        List<Key> keys = owner == null ? null : byOwner.get(owner);
        if (keys == null) {
            return List.of();
        }
        return keys.stream()
                .filter(k -> k.validUntil() == null || now.isBefore(k.validUntil()))
                .toList();
    }
}
