package dev.recur.delivery.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import dev.recur.common.event.DeliveryReplay;
import dev.recur.delivery.repository.ReplayRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * Acts on replay commands ({@code recur.delivery-replays}). The rule: a command makes a delivery due again only if
 * the delivery is dead-lettered at that moment, and a command id is acted on once. The first command for a dead
 * letter takes the delivery out of the dead ones and creates it afresh (attempts from zero, due now, the retrier
 * attempts it with the job's stored results); the same command delivered again, or any other command for that
 * delivery, finds nothing dead and does nothing, until the delivery is dead-lettered again.
 */
@ApplicationScoped
public class ReplayService {

    /** What a command did. */
    public enum Outcome {
        /** The delivery is due again. */
        REPLAYED,
        /** This command was received before. */
        REPEATED,
        /** The delivery is not dead-lettered (replayed already, never dead, or the job is another owner's). */
        NOT_DEAD
    }

    private final ReplayRepository replays;
    private final Clock clock;

    ReplayService(ReplayRepository replays, Clock clock) {
        this.replays = replays;
        this.clock = clock;
    }

    @Transactional
    public Outcome replay(DeliveryReplay command) {
        Instant now = clock.instant();
        UUID id = UUID.fromString(command.replayId());
        if (!replays.recordCommand(id, command.jobId(), command.kind(), now)) {
            return Outcome.REPEATED;
        }
        Optional<String> target = replays.takeDead(command.jobId(), command.kind(), command.owner());
        if (target.isEmpty() || !replays.insertDue(command.jobId(), command.kind(), target.get(), now)) {
            return Outcome.NOT_DEAD;
        }
        replays.markReplayed(id);
        return Outcome.REPLAYED;
    }
}
