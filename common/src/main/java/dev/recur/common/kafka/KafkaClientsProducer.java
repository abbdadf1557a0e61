package dev.recur.common.kafka;

import java.time.Duration;
import java.util.Map;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@link KafkaClients} of a service, from Quarkus' default Kafka configuration (every {@code kafka.*}
 * setting), and the start-up check of those settings against the broker, in every service that has this module.
 */
@Singleton
public class KafkaClientsProducer {

    @Produces
    @Singleton
    KafkaClients kafkaClients(@Identifier(KafkaClients.DEFAULT_CONFIGURATION) Map<String, Object> configuration) {
        return new KafkaClients(configuration);
    }

    /**
     * Before the services' own start-up work, which would otherwise retry a broker it cannot talk to forever: a
     * service whose settings do not match the listener stops here, with a message naming the setting.
     * {@code recur.kafka.startup-check-timeout=0S} turns the check off.
     */
    void verifyAtStartup(
            @Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event,
            KafkaClients clients,
            @ConfigProperty(name = "recur.kafka.startup-check-timeout", defaultValue = "PT10S") Duration timeout) {
        if (!timeout.isZero()) {
            KafkaConnectionCheck.verify(clients, timeout);
        }
    }
}
