package dev.recur.testinfra;

import org.testcontainers.kafka.KafkaContainer;

/** The same broker from the {@code apache/kafka} image, where a Docker engine runs. */
final class ContainerKafkaBroker extends ContainerServer<KafkaContainer> implements KafkaBroker {

    ContainerKafkaBroker() {
        super(new KafkaContainer("apache/kafka:4.1.2")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_MESSAGE_MAX_BYTES", "16777216")
                .withEnv("KAFKA_NUM_PARTITIONS", "3"));
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }
}
