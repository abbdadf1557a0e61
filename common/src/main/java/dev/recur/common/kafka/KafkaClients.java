package dev.recur.common.kafka;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Every Kafka client a service builds by hand, configured from the deployment's one Kafka configuration: the
 * {@code kafka.*} settings (Quarkus' default Kafka configuration, which SmallRye channels and Kafka Streams take
 * too), with the client's own settings on top. Bootstrap servers, {@code security.protocol}, SASL and TLS reach
 * every client that way; a client sets only what its use needs (acks, transactions, group, client id).
 */
public final class KafkaClients {

    /** The identifier of Quarkus' bean holding the {@code kafka.*} settings, with the prefix removed. */
    public static final String DEFAULT_CONFIGURATION = "default-kafka-broker";

    private final Map<String, Object> defaults;

    /** @param defaults the {@code kafka.*} settings without the prefix, as Quarkus' default configuration has them */
    public KafkaClients(Map<String, ?> defaults) {
        Map<String, Object> copy = new HashMap<>();
        defaults.forEach((key, value) -> {
            // Quarkus gathers every name that starts with "kafka", so kafka-streams.* shows up as streams.*
            if (!key.startsWith("streams.") && value != null) {
                copy.put(key, value);
            }
        });
        this.defaults = Map.copyOf(copy);
    }

    public String bootstrapServers() {
        return String.valueOf(defaults.getOrDefault(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, ""));
    }

    /** The configured {@code security.protocol}, Kafka's default PLAINTEXT when none is. */
    public String securityProtocol() {
        Object protocol = defaults.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        return protocol == null || protocol.toString().isBlank()
                ? "PLAINTEXT"
                : protocol.toString().trim().toUpperCase(Locale.ROOT);
    }

    /** The deployment's settings with {@code overrides} on top. */
    public Map<String, Object> config(Map<String, ?> overrides) {
        Map<String, Object> config = new HashMap<>(defaults);
        config.putAll(overrides);
        return config;
    }

    public <K, V> KafkaProducer<K, V> producer(Map<String, ?> overrides, Serializer<K> keys, Serializer<V> values) {
        return new KafkaProducer<>(withoutGroup(overrides), keys, values);
    }

    public <K, V> KafkaConsumer<K, V> consumer(Map<String, ?> overrides, Deserializer<K> keys, Deserializer<V> values) {
        return new KafkaConsumer<>(config(overrides), keys, values);
    }

    public Admin admin(Map<String, ?> overrides) {
        return Admin.create(withoutGroup(overrides));
    }

    /** Quarkus adds the application's name as {@code group.id}: a consumer setting that other clients warn about. */
    private Map<String, Object> withoutGroup(Map<String, ?> overrides) {
        Map<String, Object> config = config(overrides);
        if (!overrides.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        }
        return config;
    }
}
