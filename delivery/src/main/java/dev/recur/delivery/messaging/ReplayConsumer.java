package dev.recur.delivery.messaging;

import java.time.Duration;

import dev.recur.common.event.DeliveryReplay;
import dev.recur.common.retry.RetryInPlace;
import dev.recur.delivery.service.ReplayService;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code recur.delivery-replays}, the replays of dead letters that schedule-api publishes. A command is
 * retried in place while the database is away (a failure must not reach the connector, which would fail the channel
 * for good); {@link ReplayService} makes a repeat harmless.
 */
@ApplicationScoped
public class ReplayConsumer {

    private static final Logger LOG = Logger.getLogger(ReplayConsumer.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(15);

    private final ReplayService replays;
    private volatile boolean stopping;

    ReplayConsumer(ReplayService replays) {
        this.replays = replays;
    }

    @Incoming("delivery-replays")
    @Blocking
    public void consume(DeliveryReplay command) {
        // a record that failed to deserialize arrives as null
        if (command == null || command.replayId() == null || command.kind() == null || command.owner() == null) {
            return;
        }
        RetryInPlace.untilDone(
                () -> handle(command),
                FIRST_RETRY,
                MAX_RETRY,
                () -> stopping,
                (e, wait) ->
                        LOG.warnf("replay %s failed; trying again in %s: %s", command.replayId(), wait, e.toString()));
    }

    private void handle(DeliveryReplay command) {
        ReplayService.Outcome outcome;
        try {
            outcome = replays.replay(command);
        } catch (IllegalArgumentException e) {
            LOG.warnf("replay %s ignored: %s", command.replayId(), e.getMessage());
            return;
        }
        switch (outcome) {
            case REPLAYED ->
                LOG.infof(
                        "replay %s: the %s delivery of job %d (schedule %d) is due again (asked by %s)",
                        command.replayId(),
                        command.kind(),
                        command.jobId(),
                        command.scheduleId(),
                        command.requestedBy());
            case REPEATED -> LOG.debugf("replay %s received before; nothing to do", command.replayId());
            case NOT_DEAD ->
                LOG.infof(
                        "replay %s: the %s delivery of job %d is not dead-lettered; nothing to do",
                        command.replayId(), command.kind(), command.jobId());
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
    }
}
