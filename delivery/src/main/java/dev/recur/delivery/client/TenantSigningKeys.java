package dev.recur.delivery.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import dev.recur.common.event.SigningSecret;
import dev.recur.common.json.EventJson;
import dev.recur.common.kafka.KafkaClients;
import dev.recur.common.signing.CallbackSignature.Signer;
import dev.recur.common.signing.SigningKeyring;
import dev.recur.delivery.config.DeliveryConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The tenants' callback signing secrets, read by every instance from the start of the compacted
 * {@code recur.signing-secrets} topic (all partitions, no consumer group) and kept in memory only. A new connection
 * (after an error) builds a fresh keyring and uses it once it has caught up, so that replayed records never mix with
 * the state they led to.
 */
@ApplicationScoped
public class TenantSigningKeys {

    private static final Logger LOG = Logger.getLogger(TenantSigningKeys.class);

    @Inject
    KafkaClients kafka;

    @Inject
    DeliveryConfig config;

    private final CountDownLatch firstCatchUp = new CountDownLatch(1);
    private volatile SigningKeyring active = new SigningKeyring();
    private volatile boolean running;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private Thread reader;

    /** Keys already loaded, for tests without a broker. */
    public static TenantSigningKeys of(SigningKeyring keyring) {
        TenantSigningKeys keys = new TenantSigningKeys();
        keys.active = keyring;
        keys.firstCatchUp.countDown();
        return keys;
    }

    void start(@Observes StartupEvent event) {
        running = true;
        reader = new Thread(this::read, "signing-secrets");
        reader.setDaemon(true);
        reader.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (reader != null) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The owner's signers valid at {@code now}, the current one first; empty when the owner has none (the deployment's
     * key applies).
     *
     * @throws IllegalStateException when the topic was not read to its end within {@code wait} since the start
     */
    public List<Signer> signers(String owner, Instant now, Duration wait) {
        try {
            if (!firstCatchUp.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the tenants' signing secrets are not loaded yet");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the signing secrets", e);
        }
        return active.signers(owner, now);
    }

    private void read() {
        String topic = config.topics().signingSecrets();
        while (running) {
            SigningKeyring building = new SigningKeyring();
            boolean caughtUp = false;
            try (KafkaConsumer<String, byte[]> c = kafka.consumer(Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.CLIENT_ID_CONFIG, "recur-delivery-signing-secrets"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer = c;
                List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions);
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                        apply(building, record);
                    }
                    if (!caughtUp && partitions.stream().allMatch(p -> c.position(p) >= end.get(p))) {
                        caughtUp = true;
                        active = building;
                        firstCatchUp.countDown();
                        LOG.infof("read %s to its end", topic);
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("cannot read %s; reading it again from its start in 1 s: %s", topic, e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private static void apply(SigningKeyring keyring, ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            keyring.apply(record.key(), null);
            return;
        }
        try {
            keyring.apply(record.key(), EventJson.read(record.value(), SigningSecret.class));
        } catch (RuntimeException e) {
            // the message of a parse error may quote the value, which holds a secret: name the record only
            LOG.errorf("skipping an unreadable signing secret of %s at offset %d", record.key(), record.offset());
        }
    }
}
