package dev.recur.testinfra.quarkus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.junit.jupiter.api.Test;

/**
 * Proves a service's Kafka plumbing on the real broker: a record sent through the outgoing SmallRye channel
 * {@code plumbing-out} comes back through the incoming channel {@code plumbing-in}. A module extends it with
 * {@code @QuarkusTest} and maps both channels to one topic in its {@code %test} configuration.
 */
public abstract class KafkaChannelPlumbingTest {

    @Inject
    @Channel("plumbing-out")
    Emitter<String> out;

    @Inject
    @Channel("plumbing-in")
    Multi<String> in;

    @Test
    void shouldReceiveRecordWhenSentThroughChannelOnRealBroker() {
        String marker = "plumbing-" + UUID.randomUUID();
        var received = in.filter(marker::equals).toUni().subscribeAsCompletionStage();
        out.send(marker).toCompletableFuture().join();
        assertThat(received).succeedsWithin(Duration.ofSeconds(60)).isEqualTo(marker);
    }
}
