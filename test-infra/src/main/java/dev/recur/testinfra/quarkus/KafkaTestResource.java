package dev.recur.testinfra.quarkus;

import java.util.Map;

import dev.recur.testinfra.Infra;
import dev.recur.testinfra.KafkaBroker;
import dev.recur.testinfra.RecurTopics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points a Quarkus test at the JVM's shared real Kafka broker, with Recur's topics created. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        KafkaBroker kafka = Infra.kafka();
        RecurTopics.create(kafka);
        // Kafka Streams follows kafka.bootstrap.servers (the ticker's application.properties)
        return Map.of("kafka.bootstrap.servers", kafka.bootstrapServers());
    }

    @Override
    public void stop() {
        // shared by every test of this JVM; stopped when the JVM exits
    }
}
