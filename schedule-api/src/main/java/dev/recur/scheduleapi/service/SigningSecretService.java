package dev.recur.scheduleapi.service;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import dev.recur.common.event.SigningSecret;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.scheduleapi.repository.NativeValues;
import dev.recur.scheduleapi.repository.OutboxRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Tenants' callback signing secrets: creates and rotates them and publishes each to {@link Topics#SIGNING_SECRETS}
 * through the outbox, in the transaction that records its metadata. The secret is returned once and kept nowhere
 * here; delivery keeps the topic's secrets in memory.
 */
@ApplicationScoped
public class SigningSecretService {

    /** The longest rotation window; the topic's min.compaction.lag.ms (8 days) must exceed it. */
    public static final Duration MAX_ROTATION_WINDOW = Duration.ofDays(7);

    public static final Duration DEFAULT_ROTATION_WINDOW = Duration.ofHours(24);

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * A tenant's secret as the API shows it.
     *
     * @param secret the secret itself: only in the answer that created it, null everywhere else
     */
    public record Issued(
            String secretId, String secret, Instant createdAt, String previousSecretId, Instant previousValidUntil) {}

    @Inject
    EntityManager em;

    @Inject
    OutboxRepository outbox;

    @Inject
    Clock clock;

    /**
     * A new secret for {@code owner}; the one it replaces, if any, keeps signing callbacks for {@code window}
     * (zero: it stops at once).
     */
    @Transactional
    public Issued rotate(String owner, Duration window) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Optional<Issued> current = find(owner, true);
        String secretId = "ss_" + HexFormat.of().formatHex(random(8));
        String secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random(32));
        String previousId =
                current.isPresent() && !window.isZero() ? current.get().secretId() : null;
        Instant previousValidUntil = previousId == null ? null : now.plus(window);
        em.createNativeQuery("""
                INSERT INTO signing_secret (owner, secret_id, created_at, previous_secret_id, previous_valid_until)
                VALUES (?1, ?2, ?3, ?4, ?5)
                ON CONFLICT (owner) DO UPDATE SET secret_id = excluded.secret_id, created_at = excluded.created_at,
                    previous_secret_id = excluded.previous_secret_id,
                    previous_valid_until = excluded.previous_valid_until""")
                .setParameter(1, owner)
                .setParameter(2, secretId)
                .setParameter(3, Timestamp.from(now))
                .setParameter(4, previousId)
                .setParameter(5, previousValidUntil == null ? null : Timestamp.from(previousValidUntil))
                .executeUpdate();
        outbox.write(
                Topics.SIGNING_SECRETS,
                owner,
                EventJson.write(SigningSecret.of(owner, secretId, secret, now, previousValidUntil)));
        return new Issued(secretId, secret, now, previousId, previousValidUntil);
    }

    /** The owner's secret without its value; empty when callbacks are signed with the deployment's key. */
    @Transactional
    public Optional<Issued> get(String owner) {
        return find(owner, false);
    }

    /** Removes the owner's secrets (callbacks go back to the deployment's key); false if there were none. */
    @Transactional
    public boolean delete(String owner) {
        int deleted = em.createNativeQuery("DELETE FROM signing_secret WHERE owner = ?1")
                .setParameter(1, owner)
                .executeUpdate();
        if (deleted == 0) {
            return false;
        }
        outbox.write(Topics.SIGNING_SECRETS, owner, null);
        return true;
    }

    private Optional<Issued> find(String owner, boolean forUpdate) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT secret_id, created_at, previous_secret_id, previous_valid_until FROM signing_secret
                WHERE owner = ?1""" + (forUpdate ? " FOR UPDATE" : ""))
                .setParameter(1, owner)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = rows.get(0);
        Instant previousValidUntil = NativeValues.instant(row[3]);
        boolean previousValid = previousValidUntil != null && clock.instant().isBefore(previousValidUntil);
        return Optional.of(new Issued(
                (String) row[0],
                null,
                NativeValues.instant(row[1]),
                previousValid ? (String) row[2] : null,
                previousValid ? previousValidUntil : null));
    }

    /** A timestamp column's value as JDBC or Hibernate returns it, as an instant. */
    private static byte[] random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return b;
    }
}
