package dev.recur.scheduleapi.messaging;

import java.time.Duration;
import java.util.List;

import dev.recur.common.event.DeliveryDeadLetter;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobRecord;
import dev.recur.common.event.ScheduleStats;
import dev.recur.common.retry.RetryInPlace;
import dev.recur.scheduleapi.service.DeadLetterService;
import dev.recur.scheduleapi.service.ReadModelService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Feeds the statistics, job history and dead letters that delivery publishes, and the due runs the ticker publishes
 * (their jobs are pending until delivery reports them), into schedule-api's read model.
 *
 * <p>A failure must not reach the connector: it fails the channel for good, and the read model then stays behind
 * (and readiness down) until a restart (BrokerAndDatabaseOutageIT stops PostgreSQL for 60 s). The database being away
 * for a while is expected, so a record is written again, with backoff, until it goes through; the writes are
 * upserts keyed by job id and schedule id (a dead letter: job id and kind), so a repeat changes nothing.
 */
@ApplicationScoped
public class ReadModelConsumer {

    private static final Logger LOG = Logger.getLogger(ReadModelConsumer.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY = Duration.ofSeconds(15);

    @Inject
    ReadModelService readModel;

    @Inject
    DeadLetterService deadLetters;

    private volatile boolean stopping;

    @Incoming("schedule-stats")
    @Blocking
    public void onStats(ConsumerRecord<String, ScheduleStats> record) {
        // a tombstone or an unreadable record carries nothing to keep
        if (record.value() != null) {
            untilWritten("statistics of schedule " + record.key(), () -> readModel.record(record.value()));
        }
    }

    /** In batches: delivery finishes jobs by the thousand per second at its busiest. */
    @Incoming("job-history")
    @Blocking
    public void onJobs(List<JobRecord> records) {
        untilWritten(records.size() + " job records", () -> readModel.recordFinished(records));
    }

    /** In batches: at a busy minute the ticker publishes a due run per schedule, a row per item here. */
    @Incoming("due-runs")
    @Blocking
    public void onDueRuns(List<DueRun> slices) {
        untilWritten("the jobs of " + slices.size() + " due-run slices", () -> readModel.recordPending(slices));
    }

    /** Deliveries that exhausted their retries: GET /v1/dead-letters and the console's Failures page. */
    @Incoming("delivery-dlq")
    @Blocking
    public void onDeadLetter(DeliveryDeadLetter letter) {
        if (letter != null) {
            untilWritten("the dead letter of job " + letter.jobId(), () -> deadLetters.record(letter));
        }
    }

    private void untilWritten(String what, Runnable write) {
        RetryInPlace.untilDone(
                write,
                FIRST_RETRY,
                MAX_RETRY,
                () -> stopping,
                (e, wait) -> LOG.warnf(
                        "cannot record %s in the read model; trying again in %s: %s", what, wait, e.toString()));
    }

    @PreDestroy
    void stop() {
        stopping = true;
    }
}
