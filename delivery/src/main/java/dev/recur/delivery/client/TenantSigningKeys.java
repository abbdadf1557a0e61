package dev.recur.delivery.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.recur.common.event.SigningSecret;
import dev.recur.common.json.EventJson;
import dev.recur.common.kafka.KafkaClients;
import dev.recur.common.signing.CallbackSignature.Signer;
import dev.recur.common.signing.SigningKeyring;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.messaging.CompactedTopicReader;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The tenants' callback signing secrets, read by every instance from the start of the compacted
 * {@code recur.signing-secrets} topic ({@link CompactedTopicReader}) and kept in memory only.
 */
@ApplicationScoped
public class TenantSigningKeys {

    private static final Logger LOG = Logger.getLogger(TenantSigningKeys.class);

    @Inject
    KafkaClients kafka;

    @Inject
    DeliveryConfig config;

    private CompactedTopicReader<SigningKeyring> reader;

    /** Keys already loaded, for tests without a broker. */
    public static TenantSigningKeys of(SigningKeyring keyring) {
        TenantSigningKeys keys = new TenantSigningKeys();
        keys.reader = CompactedTopicReader.loaded(keyring);
        return keys;
    }

    @PostConstruct
    void init() {
        reader = new CompactedTopicReader<>(
                kafka,
                config.topics().signingSecrets(),
                "recur-delivery-signing-secrets",
                SigningKeyring::new,
                TenantSigningKeys::apply);
    }

    void start(@Observes StartupEvent event) {
        reader.start();
    }

    void stop(@Observes ShutdownEvent event) {
        reader.stop();
    }

    /**
     * The owner's signers valid at {@code now}, the current one first; empty when the owner has none (the deployment's
     * key applies).
     *
     * @throws IllegalStateException when the topic was not read to its end within {@code wait} since the start
     */
    public List<Signer> signers(String owner, Instant now, Duration wait) {
        return reader.state(wait).signers(owner, now);
    }

    private static void apply(SigningKeyring keyring, String owner, byte[] value, long offset) {
        if (value == null) {
            keyring.apply(owner, null);
            return;
        }
        try {
            keyring.apply(owner, EventJson.read(value, SigningSecret.class));
        } catch (RuntimeException e) {
            // the message of a parse error may quote the value, which holds a secret: name the record only
            LOG.errorf("skipping an unreadable signing secret of %s at offset %d", owner, offset);
        }
    }
}
