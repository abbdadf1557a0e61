package dev.recur.testinfra;

import java.util.HashMap;
import java.util.Map;

import dev.recur.common.event.Topics;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates Recur's topics on a broker as a deployment would: partitions, compaction and size limits. */
public final class RecurTopics {

    private RecurTopics() {}

    public static void create(KafkaBroker broker) {
        broker.createTopics(Topics.ALL.stream().map(RecurTopics::newTopic).toList());
    }

    static NewTopic newTopic(Topics.Spec spec) {
        Map<String, String> config = new HashMap<>();
        config.put("cleanup.policy", spec.compacted() ? "compact" : "delete");
        config.put("max.message.bytes", Integer.toString(spec.maxMessageBytes()));
        return new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(config);
    }
}
