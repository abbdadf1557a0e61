package dev.recur.delivery.service;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.FinishedJob;
import dev.recur.delivery.domain.PendingDelivery;
import dev.recur.delivery.repository.JobRepository;
import dev.recur.delivery.repository.JobRepository.StoredJob;
import dev.recur.delivery.storage.ResultsStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Picks due deliveries (retries, and first attempts whose lease ran out because the instance that
 * held them died) and hands them to the workers with their results read back from the results store.
 */
@ApplicationScoped
public class RetryPoller {

    private static final Logger LOG = Logger.getLogger(RetryPoller.class);

    private final DeliveryLog log;
    private final DeliveryLease lease;
    private final JobRepository jobs;
    private final ResultsStore results;
    private final DeliveryWorker worker;
    private final DeliveryConfig config;
    private ScheduledExecutorService timer;

    RetryPoller(
            DeliveryLog log,
            DeliveryLease lease,
            JobRepository jobs,
            ResultsStore results,
            DeliveryWorker worker,
            DeliveryConfig config) {
        this.log = log;
        this.lease = lease;
        this.jobs = jobs;
        this.results = results;
        this.worker = worker;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(new NamedThreads("delivery-retrier"));
        long every = config.retry().pollInterval().toMillis();
        timer.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    void poll() {
        try {
            List<PendingDelivery> due;
            do {
                // read before the claim: an attempt of this process that ends after it is not taken twice
                Set<Long> inFlight = lease.held();
                due = log.claimDue();
                // this process's own attempts come back when their leases could not be renewed (database away)
                List<PendingDelivery> fresh =
                        due.stream().filter(d -> !inFlight.contains(d.id())).toList();
                if (!fresh.isEmpty()) {
                    submit(fresh);
                }
            } while (due.size() == config.retry().batchSize());
        } catch (RuntimeException e) {
            LOG.warnf(e, "retry poll failed; trying again in %s", config.retry().pollInterval());
        }
    }

    private void submit(List<PendingDelivery> due) {
        Map<Long, StoredJob> byId = new HashMap<>();
        jobs.load(due.stream().map(PendingDelivery::jobId).distinct().toList())
                .forEach(j -> byId.put(j.job().jobId(), j));
        Map<Long, byte[]> documents = new HashMap<>();
        List<Submission> submissions = due.stream()
                .filter(d -> byId.containsKey(d.jobId()))
                .map(d -> {
                    StoredJob stored = byId.get(d.jobId());
                    FinishedJob job = stored.job();
                    byte[] document = stored.resultsKey() == null
                            ? null
                            : documents.computeIfAbsent(
                                    d.jobId(),
                                    id -> results.load(
                                            stored.resultsKey(), stored.resultsOffset(), stored.resultsSize()));
                    return new Submission(d, new DeliverableJob(job, document));
                })
                .toList();
        worker.submit(submissions);
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
