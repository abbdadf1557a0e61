package dev.recur.delivery.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.recur.delivery.config.ResultsStoreConfig;
import dev.recur.delivery.repository.JobRepository;
import dev.recur.delivery.storage.ResultsStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Deletes results documents older than the retention. A sweep rather than an S3 lifecycle rule: it
 * works on every S3-compatible store (s3proxy has no lifecycle), and its retention is not rounded up
 * to whole days. Documents stored alone are found in the job log; results packs by listing
 * {@code results/packs/}, oldest first, up to the first one still within the retention, so a pack that
 * no job points to (its batch failed after the PUT) is deleted too.
 */
@ApplicationScoped
public class ResultsExpirySweep {

    private static final Logger LOG = Logger.getLogger(ResultsExpirySweep.class);
    private static final int BATCH = 1000;

    private final JobRepository jobs;
    private final ResultsStore results;
    private final ResultsStoreConfig config;
    private final Clock clock;
    private ScheduledExecutorService timer;

    ResultsExpirySweep(JobRepository jobs, ResultsStore results, ResultsStoreConfig config, Clock clock) {
        this.jobs = jobs;
        this.results = results;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newSingleThreadScheduledExecutor(new NamedThreads("results-expiry"));
        long every = config.sweepInterval().toMillis();
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        sweep(clock.instant());
                    } catch (RuntimeException e) {
                        LOG.warnf(e, "results expiry sweep failed; trying again in %s", config.sweepInterval());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
    }

    /** Deletes every results document and pack stored before {@code now} minus the retention; returns how many objects. */
    public int sweep(Instant now) {
        Instant cutoff = now.minus(config.retention());
        int deleted = results.deletePacksWrittenBefore(cutoff);
        Map<Long, String> expired;
        do {
            expired = jobs.resultsStoredBefore(cutoff, BATCH);
            if (!expired.isEmpty()) {
                results.delete(new ArrayList<>(expired.values()));
                jobs.forgetResults(expired.keySet());
                deleted += expired.size();
            }
        } while (expired.size() == BATCH);
        return deleted;
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
