package dev.recur.delivery.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.recur.common.event.DeliveryKind;
import dev.recur.common.log.JobMdc;
import dev.recur.common.net.UrlRedaction;
import dev.recur.common.storage.BucketPolicy;
import dev.recur.common.storage.StorageTarget;
import dev.recur.common.trace.Tracing;
import dev.recur.delivery.client.CallbackSender;
import dev.recur.delivery.config.DeliveryConfig;
import dev.recur.delivery.domain.AttemptOutcome;
import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.PendingDelivery;
import dev.recur.delivery.storage.GcsObjectStore;
import dev.recur.delivery.storage.S3ObjectStore;
import dev.recur.delivery.storage.TenantBucketLists;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Runs delivery attempts on a pool of their own, so that neither the consumer nor other deliveries
 * wait for a slow or dead target: such a target holds one worker for at most the callback timeout,
 * and its retries wait in the delivery table, not in memory.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    private static final Duration FLUSH_INTERVAL = Duration.ofMillis(50);
    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    private static final Duration BUCKET_LISTS_WAIT = Duration.ofSeconds(10);

    private final CallbackSender callbacks;
    private final BucketPolicy buckets;
    private final TenantBucketLists tenantBuckets;
    private final S3ObjectStore s3;
    private final GcsObjectStore gcs;
    private final DeliveryLog log;
    private final DeliveryLease lease;
    private final DeliveryMetrics metrics;
    private final Clock clock;
    private final Tracing tracing;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService flusher;
    // successes are removed from the table in batches; a crash before that repeats them (at least once)
    private final ConcurrentLinkedQueue<Long> delivered = new ConcurrentLinkedQueue<>();

    DeliveryWorker(
            CallbackSender callbacks,
            S3ObjectStore s3,
            GcsObjectStore gcs,
            DeliveryLog log,
            DeliveryLease lease,
            DeliveryMetrics metrics,
            DeliveryConfig config,
            Clock clock,
            BucketPolicy buckets,
            TenantBucketLists tenantBuckets,
            Tracing tracing) {
        this.callbacks = callbacks;
        this.tracing = tracing;
        this.buckets = buckets;
        this.tenantBuckets = tenantBuckets;
        this.s3 = s3;
        this.gcs = gcs;
        this.log = log;
        this.lease = lease;
        this.metrics = metrics;
        this.clock = clock;
        // a full queue makes the submitter run the attempt itself: back-pressure on the consumer
        this.pool = new ThreadPoolExecutor(
                config.workers(),
                config.workers(),
                1,
                TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(config.workers() * 64),
                new NamedThreads("delivery"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        this.flusher = Executors.newSingleThreadScheduledExecutor(new NamedThreads("delivery-flush"));
        this.flusher.scheduleWithFixedDelay(
                this::flush, FLUSH_INTERVAL.toMillis(), FLUSH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Runs the attempts, whose leases this process holds (and renews) from now until their outcomes are recorded. */
    public void submit(List<Submission> submissions) {
        submit(submissions, Map.of());
    }

    /**
     * As {@link #submit(List)}, each attempt traced in its job's trace: {@code traces} holds the context each job's
     * result record carried, by job id (empty with tracing off). Retries, which the retry poller starts from the
     * delivery table, are not traced.
     */
    public void submit(List<Submission> submissions, Map<Long, Context> traces) {
        for (Submission s : submissions) {
            lease.hold(s.delivery().id());
            Context trace = traces.get(s.delivery().jobId());
            pool.execute(() -> attempt(s.delivery(), s.deliverable(), trace));
        }
    }

    void attempt(PendingDelivery delivery, DeliverableJob deliverable) {
        attempt(delivery, deliverable, null);
    }

    private void attempt(PendingDelivery delivery, DeliverableJob deliverable, Context trace) {
        Instant started = clock.instant();
        AttemptOutcome outcome = trace == null ? run(delivery, deliverable) : traced(delivery, deliverable, trace);
        boolean retry = delivery.attempts() > 0;
        if (outcome.success()) {
            // held (its lease renewed) until the flush removes its row
            delivered.add(delivery.id());
            metrics.attempt(delivery.kind(), "delivered", retry);
            return;
        }
        try {
            if (log.failed(delivery, deliverable.job(), outcome, started)) {
                try (JobMdc mdc = deliverable.job().logContext()) {
                    LOG.warnf(
                            "%s delivery of job %d to %s dead-lettered: %s",
                            delivery.kind(),
                            delivery.jobId(),
                            UrlRedaction.redact(delivery.target()),
                            UrlRedaction.redactIn(outcome.reason(), delivery.target()));
                }
                metrics.attempt(delivery.kind(), "dead_lettered", retry);
            } else {
                metrics.attempt(delivery.kind(), "retry_scheduled", retry);
            }
        } catch (RuntimeException e) {
            // the row keeps its last lease, no longer renewed: the retrier picks it up again when that ends
            LOG.errorf(e, "cannot record the outcome of delivery %d", delivery.id());
        } finally {
            lease.release(List.of(delivery.id()));
        }
    }

    private AttemptOutcome run(PendingDelivery delivery, DeliverableJob deliverable) {
        long jobId = delivery.jobId();
        try {
            switch (delivery.kind()) {
                case CALLBACK -> {
                    long t0 = System.nanoTime();
                    AttemptOutcome outcome = callbacks.send(deliverable, delivery.target());
                    metrics.callbackLatency(Duration.ofNanos(System.nanoTime() - t0), outcome.success());
                    return outcome;
                }
                case S3 -> {
                    StorageTarget url = tenantTarget(StorageTarget.Type.S3, delivery.target(), deliverable);
                    s3.put(url.bucket(), url.key(jobId), requireDocument(deliverable));
                    return AttemptOutcome.delivered(null);
                }
                case GCS -> {
                    StorageTarget url = tenantTarget(StorageTarget.Type.GCS, delivery.target(), deliverable);
                    gcs.put(url.bucket(), url.key(jobId), requireDocument(deliverable));
                    return AttemptOutcome.delivered(null);
                }
                default -> {
                    return AttemptOutcome.refused("no delivery of kind " + delivery.kind());
                }
            }
        } catch (IllegalArgumentException e) {
            return AttemptOutcome.refused(e.getMessage());
        } catch (SdkServiceException e) {
            return AttemptOutcome.failed(e.statusCode(), e.getMessage());
        } catch (RuntimeException e) {
            return AttemptOutcome.failed(null, e.toString());
        }
    }

    /** The attempt in a client span of the job's trace: {@code callback POST}, {@code s3 PUT} or {@code gcs PUT}. */
    private AttemptOutcome traced(PendingDelivery delivery, DeliverableJob deliverable, Context trace) {
        String kind = delivery.kind().name().toLowerCase(Locale.ROOT);
        Span span = tracing.startChild(
                kind + (delivery.kind() == DeliveryKind.CALLBACK ? " POST" : " PUT"), SpanKind.CLIENT, trace);
        AttemptOutcome outcome = run(delivery, deliverable);
        span.setAttribute("recur.job_id", delivery.jobId());
        span.setAttribute("recur.delivery.kind", kind);
        span.setAttribute("recur.attempt", delivery.attempts() + 1L);
        if (outcome.statusCode() != null) {
            span.setAttribute(HTTP_STATUS, outcome.statusCode().longValue());
        }
        if (!outcome.success()) {
            span.setStatus(
                    StatusCode.ERROR,
                    outcome.reason() == null ? "failed" : UrlRedaction.redactIn(outcome.reason(), delivery.target()));
        }
        span.end();
        return outcome;
    }

    /**
     * The tenant's bucket and prefix, checked again here and not only at create: the deployment's patterns and the
     * owner's bucket list may have changed since, and a record on the topic is not trusted to have passed the API. A
     * refusal is final (an {@link IllegalArgumentException}: no retry, a dead letter); bucket lists not loaded yet
     * fail the attempt, which is retried.
     */
    private StorageTarget tenantTarget(StorageTarget.Type type, String url, DeliverableJob deliverable) {
        StorageTarget target = StorageTarget.parse(type, url);
        buckets.check(
                target,
                tenantBuckets.of(deliverable.job().owner(), BUCKET_LISTS_WAIT).orElse(null));
        return target;
    }

    private static byte[] requireDocument(DeliverableJob deliverable) {
        if (deliverable.resultsDocument() == null) {
            throw new IllegalArgumentException("the job's results expired from the results store");
        }
        return deliverable.resultsDocument();
    }

    private void flush() {
        List<Long> ids = new ArrayList<>();
        for (Long id = delivered.poll(); id != null; id = delivered.poll()) {
            ids.add(id);
        }
        if (ids.isEmpty()) {
            return;
        }
        try {
            log.delivered(ids);
            lease.release(ids);
        } catch (RuntimeException e) {
            delivered.addAll(ids);
            LOG.warnf(e, "cannot remove %d delivered rows; trying again", ids.size());
        }
    }

    @PreDestroy
    void stop() {
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flusher.shutdown();
        flush();
    }
}
