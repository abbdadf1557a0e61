package dev.recur.testinfra;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** A real Kafka broker: a KRaft node in a child JVM, or a container when Docker is there. */
public interface KafkaBroker extends Server {

    String bootstrapServers();

    /**
     * Everything a client of this broker needs, as Kafka client settings: the bootstrap servers, and for a broker
     * that wants them the security settings too.
     */
    default Map<String, String> clientProperties() {
        return Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    }

    /** SIGKILL: a crash, for fault-injection tests. Embedded only. */
    default void kill() {
        throw new UnsupportedOperationException("kill is only supported by the embedded broker");
    }

    default Admin admin() {
        Properties props = new Properties();
        props.putAll(clientProperties());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        return Admin.create(props);
    }

    /** Creates the topics that do not exist yet; existing ones are left as they are. */
    default void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing =
                    topics.stream().filter(t -> !existing.contains(t.name())).toList();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics " + topics, e);
        }
    }

    default void createTopic(String name, int partitions, Map<String, String> config) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config)));
    }
}
