package dev.recur.jobrunner.service;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultPage;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.common.log.JobMdc;
import dev.recur.common.retry.Backoff;
import dev.recur.common.seal.CallbackSeal;
import dev.recur.common.trace.Tracing;
import dev.recur.jobrunner.client.HttpFetcher;
import dev.recur.jobrunner.client.OxylabsScraper;
import dev.recur.jobrunner.client.ScrapeContext;
import dev.recur.jobrunner.client.ScrapeOutcome;
import dev.recur.jobrunner.client.ScraperBackend;
import dev.recur.jobrunner.config.JobRunnerConfig;
import dev.recur.jobrunner.storage.ClaimCheckStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Runs the jobs of due-run slices: picks the backend by the item's {@code source}, applies the failure
 * policy (retry 408/429/5xx/timeouts with exponential backoff and jitter, fault the rest at once), moves
 * large results to the claim-check store, and completes the slice when its last job ends.
 *
 * <p>Calls are asynchronous: no thread waits for a scraper. At most {@code max-in-flight} calls run at once,
 * shared fairly between owners ({@link FairDispatcher}); when one ends, the thread that completes it (a
 * Vert.x event loop for the built-in fetcher) records the result and starts the next queued job. Only
 * results that may exceed the inline limit move to a worker, since storing a claim check blocks.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    static final String NO_BACKEND = "none";
    /** Bytes a result page's fields other than content and url take in JSON, at most. */
    private static final int PAGE_FIELDS_BYTES = 512;
    /** A char of a JSON string takes at most six bytes ({@code \u001f}). */
    private static final int MAX_BYTES_PER_CHAR = 6;
    /** The shared event mapper, bound to the type once rather than looked up per result. */
    private static final ObjectWriter RESULT_WRITER = EventJson.mapper().writerFor(JobResult.class);

    private static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");

    private final JobRunnerConfig config;
    private final ClaimCheckStore claims;
    private final Clock clock;
    private final Map<String, ScraperBackend> backends = new HashMap<>();
    private final FairDispatcher dispatcher;
    private final JobMetrics metrics;
    private final ScheduledExecutorService delays;
    private final ExecutorService claimWriters;
    private final AtomicInteger openJobs = new AtomicInteger();
    /** Requests to start queued jobs; only the thread that raises it from zero starts them (no re-entry). */
    private final AtomicInteger startRequests = new AtomicInteger();

    private final HttpFetcher fetcher;
    private final Backoff backoff;
    private final ByteBudget budget;

    // the public topic carries a callback URL's secret parts only sealed for delivery
    private final CallbackSeal seal;

    private final Tracing tracing;

    public JobRunner(
            JobRunnerConfig config,
            ClaimCheckStore claims,
            Clock clock,
            Vertx vertx,
            MeterRegistry registry,
            CallbackSeal seal,
            Tracing tracing) {
        this.config = config;
        this.tracing = tracing;
        this.seal = seal;
        this.claims = claims;
        this.clock = clock;
        this.backoff = new Backoff(
                config.retry().initialBackoff(),
                config.retry().maxBackoff(),
                config.retry().jitter());
        this.dispatcher = new FairDispatcher(config.maxInFlight(), config.maxInFlightPerOwner());
        this.metrics = new JobMetrics(registry, dispatcher::inFlight);
        this.budget = budget(config);
        registry.gauge("recur.jobrunner.fetch.bytes.reserved", budget, b -> b.held());
        this.fetcher = new HttpFetcher(
                vertx,
                config.fetcher(),
                config.maxInFlight(),
                clock,
                claims,
                config.memory().streamThresholdBytes());
        backends.put(fetcher.name(), fetcher);
        config.oxylabs()
                .baseUrl()
                .ifPresent(base ->
                        backends.put(JobRunnerConfig.OXYLABS, new OxylabsScraper(base, config.oxylabs(), clock)));
        this.delays = Executors.newSingleThreadScheduledExecutor(daemon("job-runner-delays"));
        // blocking S3 writes must stay off the event loops; in-flight calls bound how many wait here
        this.claimWriters = Executors.newFixedThreadPool(
                Math.max(1, Math.min(8, config.maxInFlight())), daemon("job-runner-claims"));
    }

    /**
     * The byte budgets, checked: each must hold an in-memory body for each call it may have in flight plus one
     * streamed page, or a budget spent on bodies waiting to stream could never free itself.
     */
    static ByteBudget budget(JobRunnerConfig config) {
        JobRunnerConfig.Memory memory = config.memory();
        long inMemory = HttpFetcher.inMemoryReserve(
                memory.streamThresholdBytes(), config.fetcher().maxBodyBytes());
        long stream = HttpFetcher.streamReserve(memory.streamThresholdBytes());
        check(
                "recur.job-runner.memory.max-bytes-in-flight",
                memory.maxBytesInFlight(),
                config.maxInFlight(),
                "recur.job-runner.max-in-flight",
                inMemory,
                stream);
        check(
                "recur.job-runner.memory.max-bytes-in-flight-per-owner",
                memory.maxBytesInFlightPerOwner(),
                Math.min(config.maxInFlight(), config.maxInFlightPerOwner()),
                "recur.job-runner.max-in-flight-per-owner",
                inMemory,
                stream);
        return new ByteBudget(memory.maxBytesInFlight(), memory.maxBytesInFlightPerOwner());
    }

    private static void check(String name, long budget, int calls, String callsName, long inMemory, long stream) {
        long least = calls * inMemory + stream;
        if (budget < least) {
            throw new IllegalArgumentException(name + "=" + budget + " is too small: it must hold " + calls + " ("
                    + callsName + ") bodies of up to recur.job-runner.memory.stream-threshold-bytes held in memory ("
                    + inMemory + " bytes each) and one page streamed to the claim-check store (" + stream
                    + " bytes): at least " + least);
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Made at start-up: a missing or malformed recur.callback-seal.secrets stops the service at once. */
    void onStart(@Observes io.quarkus.runtime.StartupEvent event) {
        LOG.debugf("callback URLs sealed with %s", seal);
    }

    void onStop(@Observes ShutdownEvent event) {
        delays.shutdownNow();
        claimWriters.shutdownNow();
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
        queueAtOrAfter(tasks, run.notBefore());
    }

    /**
     * Queues the tasks once the clock has reached {@code notBefore}. The delay executor measures time with
     * {@code System.nanoTime}, not with this clock, so a wake-up checks the clock again instead of trusting it.
     */
    private void queueAtOrAfter(List<JobTask> tasks, Instant notBefore) {
        long wait = notBefore == null ? 0 : millisUntil(clock.instant(), notBefore);
        if (wait > 0) {
            delays.schedule(() -> queueAtOrAfter(tasks, notBefore), wait, TimeUnit.MILLISECONDS);
        } else {
            queue(tasks);
        }
    }

    /** Whole milliseconds from now to notBefore, rounded up: truncating would start a job up to 1 ms early. */
    static long millisUntil(Instant now, Instant notBefore) {
        Duration left = Duration.between(now, notBefore);
        if (left.isNegative() || left.isZero()) {
            return 0;
        }
        long millis = left.toMillis();
        return left.getNano() % 1_000_000 == 0 ? millis : millis + 1;
    }

    private void queue(List<JobTask> tasks) {
        tasks.forEach(dispatcher::add);
        startQueued();
    }

    /**
     * Starts queued jobs while there are free slots. A call that completes at once (a refused target) ends
     * inside {@link #start}, which asks for another round here: the requests are counted instead of recursing.
     */
    private void startQueued() {
        if (startRequests.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            for (JobTask task; (task = dispatcher.tryTake()) != null; ) {
                start(task);
            }
            missed = startRequests.addAndGet(-missed);
        } while (missed != 0);
    }

    /** Frees the job's slot and the heap its attempt held, and starts what may now start. */
    private void release(JobTask task) {
        ByteBudget.Allowance memory = task.memory;
        if (memory != null) {
            task.memory = null;
            memory.releaseAll();
        }
        dispatcher.done(task);
        startQueued();
    }

    private void start(JobTask task) {
        if (task.slice.abandoned()) {
            if (task.span != null) {
                task.span.end();
            }
            openJobs.decrementAndGet();
            release(task);
            return;
        }
        if (task.attempts == 0) {
            metrics.started(task.source);
            startTrace(task);
        }
        Optional<ScraperBackend> found = backendFor(task.source);
        if (found.isEmpty()) {
            finish(
                    task,
                    faulted(
                            task,
                            0,
                            NO_BACKEND,
                            task.source == null
                                    ? "item has no source"
                                    : "no scraper backend is configured for source '" + task.source + "'"));
            release(task);
            return;
        }
        ScraperBackend backend = found.get();
        if (task.createdAt == null) {
            task.createdAt = clock.instant();
        }
        task.attempts++;
        long started = System.nanoTime();
        ByteBudget.Allowance memory = budget.allowance(task.owner());
        task.memory = memory;
        // the call's span is not made current: the scraper's and the fetcher's requests carry no trace context to
        // the sites and services they call
        Span callSpan = task.span == null
                ? null
                : tracing.startChild(
                        "scrape " + backend.name(),
                        SpanKind.CLIENT,
                        Context.root().with(task.span));
        CompletionStage<ScrapeOutcome> call;
        try {
            call = backend.scrape(task.item, new ScrapeContext(task.jobId, memory));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((outcome, error) -> {
            if (callSpan != null) {
                endCallSpan(callSpan, task.attempts, outcome, error);
            }
            ended(task, backend, started, outcome, error);
        });
    }

    /**
     * With tracing on, the job's span: the root of the job's own trace (a run of thousands of items is thousands
     * of traces, not one), linked to the run's span in the ticker, whose context the due run's record carried.
     */
    private void startTrace(JobTask task) {
        if (!tracing.enabled()) {
            return;
        }
        DueRun run = task.slice.dueRun();
        Span span = tracing.startRoot(
                "recur.job",
                SpanKind.CONSUMER,
                Span.fromContext(task.slice.runTrace()).getSpanContext());
        span.setAttribute("recur.job_id", task.jobId);
        span.setAttribute("recur.run_id", run.runId());
        span.setAttribute("recur.schedule_id", run.scheduleId());
        span.setAttribute("recur.item_index", task.itemIndex());
        if (task.source != null) {
            span.setAttribute("recur.source", task.source);
        }
        task.span = span;
    }

    private static void endCallSpan(Span span, int attempt, ScrapeOutcome outcome, Throwable error) {
        span.setAttribute("recur.attempt", attempt);
        if (error != null) {
            span.recordException(error);
            span.setStatus(StatusCode.ERROR);
        } else if (outcome.statusCode() > 0) {
            span.setAttribute(HTTP_STATUS, (long) outcome.statusCode());
        }
        if (outcome instanceof ScrapeOutcome.Failure failure) {
            span.setAttribute("recur.retryable", failure.retryable());
            span.setStatus(StatusCode.ERROR, failure.reason());
        }
        span.end();
    }

    private void ended(JobTask task, ScraperBackend backend, long started, ScrapeOutcome outcome, Throwable error) {
        boolean released = false;
        try {
            if (error != null) {
                try (JobMdc mdc = task.logContext()) {
                    LOG.errorf(error, "job %d failed unexpectedly", task.jobId);
                }
                finish(task, faulted(task, 0, backend.name(), "internal error: " + error));
                return;
            }
            metrics.scraperCall(
                    backend.name(),
                    Duration.ofNanos(System.nanoTime() - started),
                    !(outcome instanceof ScrapeOutcome.Failure));
            if (outcome instanceof ScrapeOutcome.Claimed claimed) {
                finish(
                        task,
                        result(
                                task,
                                claimed.statusCode(),
                                JobStatus.DONE,
                                null,
                                backend.name(),
                                null,
                                claimed.claim()));
                return;
            }
            if (outcome instanceof ScrapeOutcome.Success success) {
                if (surelyInline(success.pages())) {
                    finish(task, done(task, backend.name(), success));
                } else {
                    released = true;
                    claimWriters.execute(() -> {
                        try {
                            finish(task, done(task, backend.name(), success));
                        } catch (RuntimeException e) {
                            try (JobMdc mdc = task.logContext()) {
                                LOG.errorf(e, "job %d failed unexpectedly", task.jobId);
                            }
                            finish(task, faulted(task, success.statusCode(), backend.name(), "internal error: " + e));
                        } finally {
                            release(task);
                        }
                    });
                }
                return;
            }
            failed(task, backend, (ScrapeOutcome.Failure) outcome);
        } catch (RuntimeException e) {
            try (JobMdc mdc = task.logContext()) {
                LOG.errorf(e, "job %d failed unexpectedly", task.jobId);
            }
            finish(task, faulted(task, 0, backend.name(), "internal error: " + e));
        } finally {
            if (!released) {
                release(task);
            }
        }
    }

    private void failed(JobTask task, ScraperBackend backend, ScrapeOutcome.Failure failure) {
        if (!failure.retryable() || task.attempts >= config.retry().maxAttempts()) {
            String reason = failure.retryable()
                    ? failure.reason() + " (gave up after " + task.attempts + " attempts)"
                    : failure.reason();
            finish(task, faulted(task, failure.statusCode(), backend.name(), reason));
            return;
        }
        Duration wait = backoff(task.attempts);
        if (failure.retryAfter().isPresent()) {
            Duration asked = failure.retryAfter().get();
            if (asked.compareTo(config.retry().maxBackoff()) > 0) {
                finish(
                        task,
                        faulted(
                                task,
                                failure.statusCode(),
                                backend.name(),
                                failure.reason()
                                        + " (asked to retry after " + asked + ", more than the maximum backoff "
                                        + config.retry().maxBackoff() + ")"));
                return;
            }
            wait = asked.compareTo(wait) > 0 ? asked : wait;
        }
        delays.schedule(() -> queue(List.of(task)), wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Exponential from {@code initial-backoff}, capped, minus a random share so that retries spread out. */
    Duration backoff(int attemptsSoFar) {
        return backoff.delay(attemptsSoFar, ThreadLocalRandom.current());
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

    /**
     * True when the pages' JSON cannot exceed the inline limit, judged from string lengths: most pages are
     * far below it, and so are not serialized once more only to be measured.
     */
    private boolean surelyInline(List<ResultPage> pages) {
        long bound = 0;
        for (ResultPage page : pages) {
            if (page.content() != null && !page.content().isTextual()) {
                return false;
            }
            int chars = (page.content() == null ? 0 : page.content().textValue().length())
                    + (page.url() == null ? 0 : page.url().length());
            bound += PAGE_FIELDS_BYTES + (long) MAX_BYTES_PER_CHAR * chars;
        }
        return bound <= config.inlineLimitBytes();
    }

    private JobResult done(JobTask task, String backend, ScrapeOutcome.Success success) {
        List<ResultPage> pages = success.pages();
        ResultsRef ref = null;
        if (!surelyInline(pages)) {
            byte[] json = EventJson.write(pages);
            if (json.length > config.inlineLimitBytes()) {
                try {
                    ref = claims.store(task.jobId, json);
                } catch (RuntimeException e) {
                    try (JobMdc mdc = task.logContext()) {
                        LOG.warnf(e, "cannot store the results of job %d", task.jobId);
                    }
                    return faulted(
                            task,
                            success.statusCode(),
                            backend,
                            "cannot store the results (" + json.length + " bytes) in the results bucket: "
                                    + e.getMessage());
                }
            }
        }
        return result(task, success.statusCode(), JobStatus.DONE, null, backend, ref == null ? pages : null, ref);
    }

    private JobResult faulted(JobTask task, int status, String backend, String error) {
        return result(task, status, JobStatus.FAULTED, error, backend, List.of(), null);
    }

    private JobResult result(
            JobTask task,
            int status,
            JobStatus jobStatus,
            String error,
            String backend,
            List<ResultPage> pages,
            ResultsRef ref) {
        DueRun run = task.slice.dueRun();
        Instant now = clock.instant();
        return seal.seal(JobResult.of(
                        task.jobId,
                        run.scheduleId(),
                        run.runId(),
                        run.owner(),
                        run.scheduledFor(),
                        task.itemIndex(),
                        task.item,
                        status,
                        jobStatus,
                        error,
                        backend,
                        task.attempts,
                        task.createdAt == null ? now : task.createdAt,
                        now,
                        pages,
                        ref)
                .withSkippedRuns(run.skippedRuns()));
    }

    /** Serializes the result here, on the thread that ended the call, so that the publishing loop only sends bytes. */
    private void finish(JobTask task, JobResult result) {
        if (result.status() == JobStatus.DONE) {
            metrics.done(task.source);
        } else {
            metrics.faulted(task.source);
        }
        byte[] json;
        try {
            json = RESULT_WRITER.writeValueAsBytes(result);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write JobResult as JSON", e);
        }
        openJobs.decrementAndGet();
        Context trace = null;
        if (task.span != null) {
            task.span.setAttribute("recur.status", result.status().name().toLowerCase(java.util.Locale.ROOT));
            task.span.setAttribute("recur.attempts", (long) task.attempts);
            if (result.status() != JobStatus.DONE) {
                task.span.setStatus(StatusCode.ERROR, result.error() == null ? "faulted" : result.error());
            }
            task.span.end();
            trace = Context.root().with(task.span);
        }
        task.slice.complete(task.indexInSlice, json, trace);
    }
}
