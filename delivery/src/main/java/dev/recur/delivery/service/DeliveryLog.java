package dev.recur.delivery.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import dev.recur.common.event.DeliveryDeadLetter;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.common.net.UrlRedaction;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.domain.AttemptOutcome;
import dev.recur.delivery.domain.FinishedJob;
import dev.recur.delivery.domain.PendingDelivery;
import dev.recur.delivery.domain.RetryPolicy;
import dev.recur.delivery.repository.DeliveryRepository;
import dev.recur.delivery.repository.OutboxRepository;
import dev.recur.delivery.repository.OutboxRepository.OutboxEvent;
import dev.recur.delivery.repository.ReplayRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/** What happened to attempts: the state changes of the delivery table, each in its own transaction. */
@ApplicationScoped
public class DeliveryLog {

    private final DeliveryRepository deliveries;
    private final OutboxRepository outbox;
    private final ReplayRepository replays;
    private final DeliveryLease lease;
    private final DeliveryConfig config;
    private final RetryPolicy policy;
    private final Clock clock;

    DeliveryLog(
            DeliveryRepository deliveries,
            OutboxRepository outbox,
            ReplayRepository replays,
            DeliveryLease lease,
            DeliveryConfig config,
            Clock clock) {
        this.deliveries = deliveries;
        this.outbox = outbox;
        this.replays = replays;
        this.lease = lease;
        this.config = config;
        this.clock = clock;
        this.policy = new RetryPolicy(
                config.retry().maxAttempts(),
                config.retry().maxAge(),
                config.retry().initialBackoff(),
                config.retry().maxBackoff());
    }

    @Transactional
    public List<PendingDelivery> claimDue() {
        return deliveries.claimDue(
                clock.instant(), lease.until(), config.retry().batchSize(), lease.holder());
    }

    @Transactional
    public void delivered(Collection<Long> ids) {
        deliveries.delete(ids);
    }

    /**
     * Records a failed attempt that started at {@code startedAt}: schedules the next one, or, when the
     * attempts or the age are used up or retrying cannot help, moves the delivery to the dead-letter
     * topic (through the outbox, in the same transaction as its removal) and keeps it replayable.
     *
     * @return true if the delivery was dead-lettered
     */
    @Transactional
    public boolean failed(PendingDelivery delivery, FinishedJob job, AttemptOutcome outcome, Instant startedAt) {
        Instant now = clock.instant();
        int attempts = delivery.attempts() + 1;
        Instant first = delivery.firstAttemptAt() == null ? startedAt : delivery.firstAttemptAt();
        Optional<Instant> next = outcome.permanent()
                ? Optional.empty()
                : policy.nextAttempt(attempts, first, now, ThreadLocalRandom.current());
        if (next.isPresent()) {
            deliveries.reschedule(delivery.id(), attempts, first, next.get(), outcome.statusCode(), outcome.reason());
            return false;
        }
        deliveries.delete(List.of(delivery.id()));
        replays.markDead(delivery.jobId(), delivery.kind(), delivery.target(), now);
        // the topic is read beyond delivery: a URL's userinfo and query (receivers' tokens) stay out of it
        DeliveryDeadLetter letter = DeliveryDeadLetter.of(
                job.jobId(),
                job.scheduleId(),
                job.runId(),
                job.owner(),
                delivery.kind(),
                UrlRedaction.redact(delivery.target()),
                attempts,
                first,
                now,
                outcome.statusCode(),
                UrlRedaction.redactIn(outcome.reason(), delivery.target()));
        outbox.add(List.of(new OutboxEvent(
                0, config.topics().deliveryDlq(), Topics.key(job.scheduleId()), EventJson.write(letter))));
        return true;
    }
}
