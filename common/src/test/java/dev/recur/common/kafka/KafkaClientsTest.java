package dev.recur.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    private static final Map<String, Object> DEPLOYMENT = Map.of(
            "bootstrap.servers", "kafka-1:9093",
            "security.protocol", "sasl_ssl",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;",
            "ssl.truststore.location", "/etc/kafka-ca/ca.crt",
            "linger.ms", "100",
            // Quarkus' default configuration: kafka-streams.state.dir, and the application name as a group
            "streams.state.dir", "/var/tmp/recur-ticker",
            "group.id", "recur-delivery");

    @Test
    void shouldGiveEveryClientTheDeploymentsSecuritySettingsUnderItsOwnTuningWhenConfigured() {
        Map<String, Object> config = new KafkaClients(DEPLOYMENT).config(Map.of("linger.ms", 5, "acks", "all"));

        assertThat(config)
                .containsEntry("bootstrap.servers", "kafka-1:9093")
                .containsEntry("security.protocol", "sasl_ssl")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;")
                .containsEntry("ssl.truststore.location", "/etc/kafka-ca/ca.crt")
                .containsEntry("linger.ms", 5)
                .containsEntry("acks", "all")
                .doesNotContainKey("streams.state.dir");
    }

    @Test
    void shouldReadTheSecurityProtocolAsKafkaDoesWhenItIsSetOrNot() {
        assertThat(new KafkaClients(DEPLOYMENT).securityProtocol()).isEqualTo("SASL_SSL");
        assertThat(new KafkaClients(Map.of("bootstrap.servers", "kafka-1:9092")).securityProtocol())
                .isEqualTo("PLAINTEXT");
    }
}
