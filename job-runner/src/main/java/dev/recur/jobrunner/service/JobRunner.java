package dev.recur.jobrunner.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultPage;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.jobrunner.client.HttpFetcher;
import dev.recur.jobrunner.client.OxylabsScraper;
import dev.recur.jobrunner.client.ScrapeOutcome;
import dev.recur.jobrunner.client.ScraperBackend;
import dev.recur.jobrunner.config.JobRunnerConfig;
import dev.recur.jobrunner.storage.ClaimCheckStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs the jobs of due-run slices: picks the backend by the item's {@code source}, applies the failure
 * policy (retry 408/429/5xx/timeouts with exponential backoff and jitter, fault the rest at once), moves
 * large results to the claim-check store, and completes the slice when its last job ends. Scraper calls
 * are bounded by {@code max-in-flight} worker threads and shared fairly between owners.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    static final String NO_BACKEND = "none";

    private final JobRunnerConfig config;
    private final ClaimCheckStore claims;
    private final Clock clock;
    private final Map<String, ScraperBackend> backends = new HashMap<>();
    private final FairDispatcher dispatcher;
    private final JobMetrics metrics;
    private final ScheduledExecutorService delays;
    private final List<Thread> workers = new ArrayList<>();
    private final AtomicInteger openJobs = new AtomicInteger();
    private final HttpFetcher fetcher;

    public JobRunner(JobRunnerConfig config, ClaimCheckStore claims, Clock clock, Vertx vertx, MeterRegistry registry) {
        this.config = config;
        this.claims = claims;
        this.clock = clock;
        this.dispatcher = new FairDispatcher(config.maxInFlightPerOwner());
        this.metrics = new JobMetrics(registry, dispatcher::inFlight);
        this.fetcher = new HttpFetcher(vertx, config.fetcher(), config.maxInFlight(), clock);
        backends.put(fetcher.name(), fetcher);
        config.oxylabs().baseUrl().ifPresent(base -> backends.put(JobRunnerConfig.OXYLABS,
                new OxylabsScraper(base, config.oxylabs(), clock)));
        this.delays = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "job-runner-delays");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < config.maxInFlight(); i++) {
            Thread worker = new Thread(this::work, "job-runner-worker-" + i);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        workers.forEach(Thread::interrupt);
        delays.shutdownNow();
        fetcher.close();
    }

    /** Jobs accepted and not finished yet, queued or running: what the consumer's backpressure watches. */
    public int openJobs() {
        return openJobs.get();
    }

    /** Queues the slice's jobs; the slice calls its completion callback when the last one ends. */
    public void submit(SliceWork slice) {
        DueRun run = slice.dueRun();
        List<JobTask> tasks = new ArrayList<>(slice.size());
        for (int i = 0; i < slice.size(); i++) {
            ObjectNode item = run.items().get(i);
            String source = item == null ? null : item.path("source").asText(null);
            tasks.add(new JobTask(slice, i, Ids.jobId(run.runId(), run.itemOffset() + i), item, source));
        }
        openJobs.addAndGet(tasks.size());
        Instant now = clock.instant();
        if (run.notBefore() != null && run.notBefore().isAfter(now)) {
            long wait = Duration.between(now, run.notBefore()).toMillis();
            delays.schedule(() -> tasks.forEach(dispatcher::add), wait, TimeUnit.MILLISECONDS);
        } else {
            tasks.forEach(dispatcher::add);
        }
    }

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            JobTask task;
            try {
                task = dispatcher.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                attempt(task);
            } catch (RuntimeException e) {
                LOG.errorf(e, "job %d failed unexpectedly", task.jobId);
                finish(task, faulted(task, 0, backendName(task), "internal error: " + e));
            } finally {
                dispatcher.done(task);
            }
        }
    }

    private void attempt(JobTask task) {
        if (task.slice.abandoned()) {
            openJobs.decrementAndGet();
            return;
        }
        if (task.attempts == 0) {
            metrics.started(task.source);
        }
        Optional<ScraperBackend> backend = backendFor(task.source);
        if (backend.isEmpty()) {
            finish(task, faulted(task, 0, NO_BACKEND, task.source == null
                    ? "item has no source"
                    : "no scraper backend is configured for source '" + task.source + "'"));
            return;
        }
        if (task.createdAt == null) {
            task.createdAt = clock.instant();
        }
        task.attempts++;
        long start = System.nanoTime();
        ScrapeOutcome outcome = backend.get().scrape(task.item);
        metrics.scraperCall(backend.get().name(), Duration.ofNanos(System.nanoTime() - start),
                outcome instanceof ScrapeOutcome.Success);
        if (outcome instanceof ScrapeOutcome.Success success) {
            finish(task, done(task, backend.get().name(), success));
            return;
        }
        ScrapeOutcome.Failure failure = (ScrapeOutcome.Failure) outcome;
        if (!failure.retryable() || task.attempts >= config.retry().maxAttempts()) {
            String reason = failure.retryable()
                    ? failure.reason() + " (gave up after " + task.attempts + " attempts)"
                    : failure.reason();
            finish(task, faulted(task, failure.statusCode(), backend.get().name(), reason));
            return;
        }
        Duration wait = backoff(task.attempts);
        if (failure.retryAfter().isPresent()) {
            Duration asked = failure.retryAfter().get();
            if (asked.compareTo(config.retry().maxBackoff()) > 0) {
                finish(task, faulted(task, failure.statusCode(), backend.get().name(), failure.reason()
                        + " (asked to retry after " + asked + ", more than the maximum backoff "
                        + config.retry().maxBackoff() + ")"));
                return;
            }
            wait = asked.compareTo(wait) > 0 ? asked : wait;
        }
        delays.schedule(() -> dispatcher.add(task), wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Exponential from {@code initial-backoff}, capped, minus a random share so that retries spread out. */
    Duration backoff(int attemptsSoFar) {
        long initial = config.retry().initialBackoff().toMillis();
        long cap = config.retry().maxBackoff().toMillis();
        long exponential = initial << Math.min(30, attemptsSoFar - 1);
        long base = Math.min(cap, exponential < 0 ? cap : exponential);
        double jitter = Math.max(0, Math.min(1, config.retry().jitter()));
        return Duration.ofMillis((long) (base * (1 - jitter * ThreadLocalRandom.current().nextDouble())));
    }

    private Optional<ScraperBackend> backendFor(String source) {
        if (source == null) {
            return Optional.empty();
        }
        String name = config.sources().get(source);
        if (name == null) {
            name = config.defaultBackend().orElse(null);
        }
        return Optional.ofNullable(name == null ? null : backends.get(name));
    }

    private String backendName(JobTask task) {
        return backendFor(task.source).map(ScraperBackend::name).orElse(NO_BACKEND);
    }

    private JobResult done(JobTask task, String backend, ScrapeOutcome.Success success) {
        List<ResultPage> pages = success.pages();
        byte[] json = EventJson.write(pages);
        ResultsRef ref = null;
        if (json.length > config.inlineLimitBytes()) {
            try {
                ref = claims.store(task.jobId, json);
            } catch (RuntimeException e) {
                LOG.warnf(e, "cannot store the results of job %d", task.jobId);
                return faulted(task, success.statusCode(), backend, "cannot store the results (" + json.length
                        + " bytes) in the results bucket: " + e.getMessage());
            }
        }
        return result(task, success.statusCode(), JobStatus.DONE, null, backend, ref == null ? pages : null, ref);
    }

    private JobResult faulted(JobTask task, int status, String backend, String error) {
        return result(task, status, JobStatus.FAULTED, error, backend, List.of(), null);
    }

    private JobResult result(JobTask task, int status, JobStatus jobStatus, String error, String backend,
            List<ResultPage> pages, ResultsRef ref) {
        DueRun run = task.slice.dueRun();
        Instant now = clock.instant();
        return JobResult.of(task.jobId, run.scheduleId(), run.runId(), run.owner(), run.scheduledFor(),
                task.itemIndex(), task.item, status, jobStatus, error, backend, task.attempts,
                task.createdAt == null ? now : task.createdAt, now, pages, ref);
    }

    private void finish(JobTask task, JobResult result) {
        if (result.status() == JobStatus.DONE) {
            metrics.done(task.source);
        } else {
            metrics.faulted(task.source);
        }
        openJobs.decrementAndGet();
        task.slice.complete(task.indexInSlice, result);
    }
}
