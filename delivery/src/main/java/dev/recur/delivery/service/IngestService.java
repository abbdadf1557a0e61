package dev.recur.delivery.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.recur.common.event.DeliveryKind;
import dev.recur.common.event.JobRecord;
import dev.recur.common.event.ScheduleStats;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.common.log.JobMdc;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;
import dev.recur.delivery.domain.PendingDelivery;
import dev.recur.delivery.repository.DeliveryRepository;
import dev.recur.delivery.repository.DeliveryRepository.NewDelivery;
import dev.recur.delivery.repository.JobRepository;
import dev.recur.delivery.repository.JobRepository.StoredJob;
import dev.recur.delivery.repository.OutboxRepository;
import dev.recur.delivery.repository.OutboxRepository.OutboxEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * Logs consumed jobs, exactly once per job id: in one transaction the job rows are inserted (a
 * redelivered job id inserts nothing), only new rows are counted into the stats, and the history
 * events, stats snapshots and deliveries of the new jobs are written to the outbox and delivery tables.
 */
@ApplicationScoped
public class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    private final JobRepository jobs;
    private final DeliveryRepository deliveries;
    private final OutboxRepository outbox;
    private final DeliveryLease lease;
    private final DeliveryConfig config;
    private final Clock clock;

    IngestService(
            JobRepository jobs,
            DeliveryRepository deliveries,
            OutboxRepository outbox,
            DeliveryLease lease,
            DeliveryConfig config,
            Clock clock) {
        this.jobs = jobs;
        this.deliveries = deliveries;
        this.outbox = outbox;
        this.lease = lease;
        this.config = config;
        this.clock = clock;
    }

    /** Logs the batch; returns the deliveries of the jobs that were new, leased for their first attempt. */
    @Transactional
    public List<Submission> ingest(List<Ingested> batch) {
        Instant now = clock.instant();
        Set<Long> inserted = jobs.insertNew(
                batch.stream().map(i -> new StoredJob(i.job(), i.resultsRef())).toList());
        List<Ingested> fresh =
                batch.stream().filter(i -> inserted.contains(i.job().jobId())).toList();
        if (fresh.isEmpty()) {
            return List.of();
        }
        jobs.count(fresh.stream().map(Ingested::job).toList(), now);

        List<OutboxEvent> events = new ArrayList<>();
        Set<Long> schedules = new TreeSet<>();
        for (Ingested i : fresh) {
            FinishedJob j = i.job();
            JobRecord record = JobRecord.of(
                    j.jobId(),
                    j.runId(),
                    j.scheduleId(),
                    j.owner(),
                    j.scheduledFor(),
                    j.itemIndex(),
                    j.item(),
                    j.createStatusCode(),
                    j.status(),
                    j.error(),
                    j.createdAt(),
                    j.resultCreatedAt(),
                    i.resultsRef());
            events.add(
                    new OutboxEvent(0, config.topics().jobHistory(), Topics.key(j.jobId()), EventJson.write(record)));
            schedules.add(j.scheduleId());
        }
        Map<Long, ScheduleStats> snapshots = jobs.stats(schedules);
        for (long scheduleId : schedules) {
            ScheduleStats stats = snapshots.get(scheduleId);
            events.add(new OutboxEvent(
                    0, config.topics().scheduleStats(), Topics.key(scheduleId), EventJson.write(stats)));
        }
        outbox.add(events);

        Map<Long, Ingested> byJob = new HashMap<>();
        List<NewDelivery> wanted = new ArrayList<>();
        for (Ingested i : fresh) {
            byJob.put(i.job().jobId(), i);
            wanted.addAll(deliveriesOf(i.job()));
        }
        List<PendingDelivery> created = deliveries.insert(wanted, lease.until(), lease.holder());
        return created.stream()
                .map(d -> new Submission(
                        d,
                        new DeliverableJob(
                                byJob.get(d.jobId()).job(), byJob.get(d.jobId()).resultsDocument())))
                .toList();
    }

    static List<NewDelivery> deliveriesOf(FinishedJob job) {
        List<NewDelivery> wanted = new ArrayList<>(2);
        if (job.callbackUrl() != null) {
            wanted.add(new NewDelivery(job.jobId(), DeliveryKind.CALLBACK, job.callbackUrl()));
        }
        String type = job.storageType();
        if (type != null && job.storageUrl() != null) {
            switch (type.toLowerCase(Locale.ROOT)) {
                case "s3" -> wanted.add(new NewDelivery(job.jobId(), DeliveryKind.S3, job.storageUrl()));
                case "gcs" -> wanted.add(new NewDelivery(job.jobId(), DeliveryKind.GCS, job.storageUrl()));
                default -> {
                    try (JobMdc mdc = job.logContext()) {
                        LOG.warnf("job %d: storage_type %s is not s3 or gcs; no upload", job.jobId(), type);
                    }
                }
            }
        }
        return wanted;
    }
}
