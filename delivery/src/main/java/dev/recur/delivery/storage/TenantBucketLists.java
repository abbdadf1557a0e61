package dev.recur.delivery.storage;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.recur.common.event.TenantBuckets;
import dev.recur.common.json.EventJson;
import dev.recur.common.kafka.KafkaClients;
import dev.recur.common.storage.BucketList;
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
 * The tenants' bucket lists, read by every instance from the start of the compacted {@code recur.tenant-buckets}
 * topic ({@link CompactedTopicReader}) into memory: delivery checks a tenant's upload against its list, as it is now,
 * before every attempt. A record that cannot be read stands for an empty list (no bucket): an upload is refused rather
 * than let through a list that could not be checked.
 */
@ApplicationScoped
public class TenantBucketLists {

    private static final Logger LOG = Logger.getLogger(TenantBucketLists.class);

    @Inject
    KafkaClients kafka;

    @Inject
    DeliveryConfig config;

    private CompactedTopicReader<Map<String, BucketList>> reader;

    @PostConstruct
    void init() {
        reader = new CompactedTopicReader<>(
                kafka,
                config.topics().tenantBuckets(),
                "recur-delivery-tenant-buckets",
                ConcurrentHashMap::new,
                TenantBucketLists::apply);
    }

    void start(@Observes StartupEvent event) {
        reader.start();
    }

    void stop(@Observes ShutdownEvent event) {
        reader.stop();
    }

    /**
     * The owner's list; empty when it has none (any bucket the deployment allows).
     *
     * @throws IllegalStateException when the topic was not read to its end within {@code wait} since the start (the
     *     attempt fails and is retried)
     */
    public Optional<BucketList> of(String owner, Duration wait) {
        Map<String, BucketList> lists = reader.state(wait);
        return owner == null ? Optional.empty() : Optional.ofNullable(lists.get(owner));
    }

    private static void apply(Map<String, BucketList> lists, String owner, byte[] value, long offset) {
        if (owner == null) {
            return;
        }
        if (value == null) {
            lists.remove(owner);
            return;
        }
        try {
            lists.put(
                    owner,
                    BucketList.parse(EventJson.read(value, TenantBuckets.class).buckets()));
        } catch (RuntimeException e) {
            LOG.errorf(
                    "the bucket list of %s at offset %d cannot be read; its uploads are refused until the next: %s",
                    owner, offset, e.getMessage());
            lists.put(owner, BucketList.parse(java.util.List.of()));
        }
    }
}
