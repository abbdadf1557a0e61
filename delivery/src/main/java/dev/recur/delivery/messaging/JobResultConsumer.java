package dev.recur.delivery.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.json.EventJson;
import dev.recur.common.log.JobMdc;
import dev.recur.common.retry.RetryInPlace;
import dev.recur.common.seal.CallbackSeal;
import dev.recur.common.trace.Tracing;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.config.ResultsStoreConfig;
import dev.recur.delivery.domain.FinishedJob;
import dev.recur.delivery.repository.JobRepository;
import dev.recur.delivery.service.DeliveryMetrics;
import dev.recur.delivery.service.DeliveryWorker;
import dev.recur.delivery.service.IngestService;
import dev.recur.delivery.service.Ingested;
import dev.recur.delivery.service.NamedThreads;
import dev.recur.delivery.service.Submission;
import dev.recur.delivery.storage.ResultsStore;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code recur.job-results} in batches: stores the new jobs' results documents (the small ones in one
 * results pack), logs the batch in one transaction, then starts the first delivery attempts. Offsets are
 * committed after the method returns, so a crash redelivers the batch, and the job log makes that harmless.
 */
@ApplicationScoped
public class JobResultConsumer {

    private static final Logger LOG = Logger.getLogger(JobResultConsumer.class);
    private static final int STORE_ATTEMPTS = 3;
    private static final Duration FIRST_BATCH_RETRY = Duration.ofMillis(500);
    private static final Duration MAX_BATCH_RETRY = Duration.ofSeconds(15);

    private final JobRepository jobs;
    private final ResultsStore results;
    private final IngestService ingest;
    private final DeliveryWorker worker;
    // results-store reads of claim checks and writes of a batch run in parallel: they are the slow part of a batch
    private final ExecutorService storeWriters;

    private final DeliveryMetrics metrics;
    private final CallbackSeal seal;
    private final long claimBytesInFlight;
    private volatile boolean stopping;

    @Inject
    Tracing tracing;

    JobResultConsumer(
            JobRepository jobs,
            ResultsStore results,
            IngestService ingest,
            DeliveryWorker worker,
            DeliveryMetrics metrics,
            DeliveryConfig config,
            ResultsStoreConfig resultsConfig,
            CallbackSeal seal) {
        long max = resultsConfig.claims().maxBytes();
        this.claimBytesInFlight = resultsConfig.claims().maxBytesInFlight();
        if (max > Integer.MAX_VALUE - 64 || claimBytesInFlight < max) {
            throw new IllegalArgumentException("recur.results.claims.max-bytes (" + max + ") must be at most "
                    + (Integer.MAX_VALUE - 64) + " and at most recur.results.claims.max-bytes-in-flight ("
                    + claimBytesInFlight + ")");
        }
        this.storeWriters =
                Executors.newFixedThreadPool(config.resultsStoreWriters(), new NamedThreads("results-store"));
        this.jobs = jobs;
        this.results = results;
        this.ingest = ingest;
        this.worker = worker;
        this.metrics = metrics;
        this.seal = seal;
    }

    @Incoming("job-results")
    @Blocking
    public void consume(ConsumerRecords<String, JobResult> records) {
        List<JobResult> batch = new ArrayList<>(records.count());
        // with tracing on, each job's trace from its record (job-runner's job span), for its delivery attempts
        Map<Long, Context> traces = tracing.enabled() ? new HashMap<>() : Map.of();
        for (ConsumerRecord<String, JobResult> record : records) {
            batch.add(record.value());
            if (tracing.enabled() && record.value() != null) {
                traces.put(record.value().jobId(), tracing.extract(record.headers()));
            }
        }
        // A failure must not reach the connector: it fails the channel for good, and delivery then ingests nothing
        // until it is restarted (BrokerAndDatabaseOutageIT stops PostgreSQL for 60 s). The database or the results
        // bucket being away for a while is expected, so the batch is taken again until it goes through; the job log
        // makes the part of it that already went through a no-op.
        RetryInPlace.untilDone(
                () -> handle(batch, traces),
                FIRST_BATCH_RETRY,
                MAX_BATCH_RETRY,
                () -> stopping,
                (e, wait) -> LOG.warnf(
                        "a batch of %d job results failed; trying again in %s: %s", batch.size(), wait, e.toString()));
    }

    private void handle(List<JobResult> batch, Map<Long, Context> traces) {
        Map<Long, JobResult> byId = new LinkedHashMap<>();
        for (JobResult r : batch) {
            // a record that failed to deserialize arrives as null
            if (r != null) {
                byId.put(r.jobId(), opened(r));
            }
        }
        if (byId.isEmpty()) {
            return;
        }
        metrics.batchSize(byId.size());
        Set<Long> known = jobs.existing(byId.keySet());
        List<JobResult> fresh =
                byId.values().stream().filter(r -> !known.contains(r.jobId())).toList();
        for (List<JobResult> group : groups(fresh, results::claimBytes, claimBytesInFlight)) {
            handleGroup(group, traces);
        }
    }

    /**
     * The results in order, in groups whose claim checks add up to at most {@code maxBytes} (a group holds one result
     * at least): a batch of large claim checks is read a group at a time, not whole into the heap.
     */
    static <T> List<List<T>> groups(List<T> results, java.util.function.ToLongFunction<T> bytes, long maxBytes) {
        List<List<T>> groups = new ArrayList<>();
        List<T> group = new ArrayList<>();
        long groupBytes = 0;
        for (T r : results) {
            long size = bytes.applyAsLong(r);
            if (!group.isEmpty() && groupBytes + size > maxBytes) {
                groups.add(group);
                group = new ArrayList<>();
                groupBytes = 0;
            }
            group.add(r);
            groupBytes += size;
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    private void handleGroup(List<JobResult> group, Map<Long, Context> traces) {
        long t0 = System.nanoTime();
        List<CompletableFuture<Prepared>> prepared = new ArrayList<>();
        for (JobResult r : group) {
            // a claim-checked result's pages are read from the results bucket first: in parallel
            prepared.add(
                    r.results() != null
                            ? CompletableFuture.completedFuture(prepare(r))
                            : CompletableFuture.supplyAsync(() -> prepare(r), storeWriters));
        }
        if (prepared.isEmpty()) {
            return;
        }
        List<Prepared> documents =
                prepared.stream().map(CompletableFuture::join).toList();
        List<ResultsRef> refs = results.store(
                documents.stream()
                        .map(p -> new ResultsStore.Document(p.job().jobId(), p.document()))
                        .toList(),
                storeWriters);
        metrics.resultsStored(refs);
        List<Ingested> ingested = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            ingested.add(new Ingested(documents.get(i).job(), documents.get(i).document(), refs.get(i)));
        }
        long t1 = System.nanoTime();
        List<Submission> submissions = ingest.ingest(ingested);
        long t2 = System.nanoTime();
        worker.submit(submissions, traces);
        metrics.batchPhase("results_store", Duration.ofNanos(t1 - t0));
        metrics.batchPhase("ingest_transaction", Duration.ofNanos(t2 - t1));
    }

    /**
     * The result with its item's whole {@code callback_url}, opened from {@code sealed_callback_url}. One that cannot
     * be opened (sealed with a key this deployment no longer holds) gets a callback_url that is no URL: its callback
     * is refused and dead-lettered at the first attempt, never sent to the redacted URL.
     */
    private JobResult opened(JobResult result) {
        try {
            return seal.open(result);
        } catch (CallbackSeal.UnopenableException e) {
            try (JobMdc mdc = JobMdc.of(result.scheduleId(), result.runId(), result.jobId(), result.owner())) {
                LOG.errorf("job %d: its callback_url cannot be opened: %s", result.jobId(), e.getMessage());
            }
            ObjectNode item = result.item().deepCopy();
            item.put("callback_url", "sealed callback_url not opened: " + e.getMessage());
            return result.withCallback(item, null);
        }
    }

    /** A job with its results document, not stored yet. */
    private record Prepared(FinishedJob job, byte[] document) {}

    private Prepared prepare(JobResult result) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= STORE_ATTEMPTS; attempt++) {
            try {
                return new Prepared(FinishedJob.of(result), results.resultsDocument(result));
            } catch (ResultsStore.UnreadableClaimException e) {
                return withLostResults(result, e);
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The job, faulted with the reason and no pages: its results are gone, but the job is still counted and delivered. */
    private Prepared withLostResults(JobResult result, ResultsStore.UnreadableClaimException e) {
        FinishedJob job = FinishedJob.faulted(result, "results lost: " + e.getMessage());
        try (JobMdc mdc = job.logContext()) {
            LOG.errorf("job %d: results lost: %s", result.jobId(), e.getMessage());
        }
        return new Prepared(job, EventJson.write(Map.of("results", List.of())));
    }

    @PreDestroy
    void stop() {
        stopping = true;
        storeWriters.shutdownNow();
    }
}
