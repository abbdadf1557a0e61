package dev.recur.ticker.topology;

import java.io.IOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import dev.recur.common.cache.Caches;
import dev.recur.common.cron.CronExpression;
import dev.recur.common.cron.FireTimes;
import dev.recur.common.cron.InvalidCronException;
import dev.recur.common.event.CatchUp;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.common.trace.Tracing;
import dev.recur.ticker.codecs.DueRunJson;
import dev.recur.ticker.codecs.SnapshotJson;
import dev.recur.ticker.state.Timeline;
import dev.recur.ticker.state.TimelineKey;
import dev.recur.ticker.state.TrackedSchedule;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

/**
 * Keeps the schedules of one partition and fires them: snapshots go into the schedules store, each active schedule's
 * next fire minute into the timeline, an in-memory index by (minute, schedule id); a wall-clock punctuator publishes
 * every timeline entry whose minute has come and re-plans it.
 *
 * <p>What survives a crash is the schedules store, the plans store and the progress store, changelogged and
 * committed with the output in one exactly-once transaction; the timeline is derived from them whenever the task
 * starts. A tick fires its entries in timeline order and then writes, once, the last timeline key it fired: the
 * progress. A schedule fired on time is not written at all, so that a run costs the due-run and nothing else: its
 * plan record stays at an earlier fire minute, and its actual next minute is its first fire time whose timeline key
 * lies beyond the progress (see {@link #nextMinute}). That holds because the timeline holds nothing at or below the
 * progress (new plans lie after the current minute, which the progress never passes), so every fire time between a
 * plan record and the progress was fired, on time, by a tick that moved the progress past it. Every other change of
 * plan (a new or changed schedule, a run fired late, a schedule that ends) writes the plan record, which then lies
 * beyond the progress and holds as written. This assumes the clock does not go back past the minute of the progress:
 * a plan made then could lie at or below it, and a restart before its run would skip that run.
 *
 * <p>Missed fire times that are not run are counted on the schedule's next published run ({@code skipped_runs}), so
 * that delivery adds them to the schedule's statistics once, with that run. When no run follows in the same tick
 * (catch-up {@code skip}, or a window that left nothing), the count waits in the skipped store, written in the
 * tick's transaction like the plans, until the schedule's next run takes it.
 */
final class ScheduleProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = Logger.getLogger(ScheduleProcessor.class);
    private static final long NOT_PLANNED = -1;
    private static final int CACHE_SIZE = 4096;
    private static final Long PROGRESS_KEY = 0L;

    private final TickerSettings settings;
    private final Clock clock;
    private final TickerMetrics metrics;
    private final Tracing tracing;
    private final DueRunSlicer slicer;
    // parsing a cron is far costlier than evaluating it, and most schedules share a few expressions
    private final Cache<String, CronExpression> crons = Caches.bounded(CACHE_SIZE);

    // ZoneId.of parses the id and looks up its rules: once per zone, not once per run
    private final Cache<String, ZoneId> zones = Caches.bounded(CACHE_SIZE);

    // the runs of one tick share a few minutes and one publish time: each is formatted once
    private final InstantText minuteText = new InstantText();
    private final InstantText nowText = new InstantText();

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<Long, TrackedSchedule> schedules;
    private KeyValueStore<Long, Long> plans;
    private final Timeline timeline = new Timeline();
    private KeyValueStore<Long, Bytes> progressStore;
    // skipped fire times not yet carried by a run, by schedule id: the skipped store's content, held in memory so that
    // a run costs no store read when, as almost always, nothing is waiting
    private KeyValueStore<Long, Long> skippedStore;
    private final Map<Long, Long> skippedWaiting = new HashMap<>();
    // the last timeline key fired by a tick, as in the progress store; null before the first
    private Bytes progress;
    private boolean followUpScheduled;

    ScheduleProcessor(TickerSettings settings, Clock clock, TickerMetrics metrics, Tracing tracing) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.tracing = tracing;
        this.slicer = new DueRunSlicer(settings.sliceBudgetBytes());
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.schedules = context.getStateStore(TickerTopology.SCHEDULES_STORE);
        this.plans = context.getStateStore(TickerTopology.PLANS_STORE);
        this.progressStore = context.getStateStore(TickerTopology.PROGRESS_STORE);
        this.progress = progressStore.get(PROGRESS_KEY);
        this.skippedStore = context.getStateStore(TickerTopology.SKIPPED_STORE);
        skippedWaiting.clear();
        try (KeyValueIterator<Long, Long> all = skippedStore.all()) {
            all.forEachRemaining(waiting -> skippedWaiting.put(waiting.key, waiting.value));
        }
        rebuildTimeline();
        metrics.track(schedules);
        metrics.track(timeline);
        context.schedule(settings.tickInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> tick());
        scheduleBoundaryTick();
    }

    /**
     * Streams initializes the processor once the changelogged stores are restored, also after a crash or an aborted
     * transaction, so the stores hold exactly what was committed and the timeline is rebuilt from them.
     */
    private void rebuildTimeline() {
        timeline.clear();
        List<KeyValue<Long, Long>> written = new ArrayList<>();
        try (KeyValueIterator<Long, Long> all = plans.all()) {
            all.forEachRemaining(written::add);
        }
        for (KeyValue<Long, Long> plan : written) {
            long minute = nextMinute(plan.key, plan.value);
            if (minute != NOT_PLANNED) {
                timeline.put(minute, plan.key);
            }
        }
    }

    /**
     * A schedule's next fire minute from its plan record and the progress: the record if its key lies beyond the
     * progress, else the schedule's first fire time whose key does.
     */
    private long nextMinute(long id, long writtenMinute) {
        if (progress == null || TimelineKey.of(writtenMinute, id).compareTo(progress) > 0) {
            return writtenMinute;
        }
        TrackedSchedule schedule = schedules.get(id);
        if (schedule == null) {
            return NOT_PLANNED;
        }
        long progressMinute = TimelineKey.epochMinute(progress);
        long from = id > TimelineKey.scheduleId(progress) ? progressMinute : progressMinute + 1;
        return nextMinuteAfter(id, schedule, Instant.ofEpochSecond(from * 60 - 1));
    }

    /**
     * A look exactly at each minute boundary, besides the regular ones: the regular punctuation runs on a grid that
     * starts whenever the task did, up to a whole interval after the boundary.
     */
    private void scheduleBoundaryTick() {
        long now = clock.millis();
        long next = (Math.floorDiv(now, 60_000L) + 1) * 60_000L;
        once(Duration.ofMillis(next - now), () -> {
            tick();
            scheduleBoundaryTick();
        });
    }

    private void once(Duration delay, Runnable action) {
        Cancellable[] self = new Cancellable[1];
        self[0] = context.schedule(delay, PunctuationType.WALL_CLOCK_TIME, timestamp -> {
            self[0].cancel();
            action.run();
        });
    }

    @Override
    public void close() {
        metrics.untrack(schedules);
        metrics.untrack(timeline);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long id;
        try {
            id = Long.parseLong(record.key());
        } catch (NumberFormatException e) {
            LOG.warnf("ignoring a schedule record whose key is not a schedule id: %s", record.key());
            return;
        }
        Instant now = clock.instant();
        byte[] json = record.value() == null || record.value().length == 0 ? null : record.value();
        ScheduleSnapshot snapshot = null;
        if (json != null) {
            try {
                snapshot = SnapshotJson.read(json);
            } catch (IOException | RuntimeException e) {
                LOG.errorf(e, "ignoring an unreadable snapshot of schedule %d", id);
                return;
            }
        }
        TrackedSchedule current = schedules.get(id);
        if (snapshot != null && current != null && snapshot.revision() <= current.revision()) {
            return;
        }
        // the instant the API accepted the change, on its clock: fire times up to it belong to the old version,
        // later ones to the new one, however late this ticker reads the change (a tombstone carries no instant)
        Instant accepted = snapshot != null && snapshot.updatedAt() != null ? snapshot.updatedAt() : now;
        long nowMinute = epochMinute(now);
        Long written = plans.get(id);
        long planned = written == null ? NOT_PLANNED : nextMinute(id, written);
        if (current != null && planned != NOT_PLANNED) {
            timeline.remove(planned, id);
            // a run of the old version that came due before the change was accepted but has not been published
            long oldThrough = Math.min(epochMinute(accepted), nowMinute);
            if (planned <= oldThrough) {
                fire(id, current, planned, oldThrough, now);
            }
        }
        if (snapshot == null) {
            schedules.delete(id);
            plans.delete(id);
            if (skippedWaiting.remove(id) != null) {
                skippedStore.delete(id);
            }
            return;
        }
        TrackedSchedule tracked = TrackedSchedule.of(snapshot, tracing.traceparent(record.headers()));
        schedules.put(id, tracked);
        long next = NOT_PLANNED;
        if (snapshot.active()) {
            // fire times older than the catch-up window would all be skipped: not walked one by one (a snapshot
            // replayed long after it was accepted)
            Instant horizon = now.minus(settings.catchUpWindow()).minusNanos(1);
            Optional<FireTimes> times = fireTimes(id, tracked);
            Instant first = times.flatMap(t -> t.nextAfter(accepted.isBefore(horizon) ? horizon : accepted))
                    .orElse(null);
            if (current != null && planned != NOT_PLANNED) {
                // the old version handled its fire times before its plan, also those after the change was accepted
                // when a tick came before the change: a minute it published is not published again
                Optional<FireTimes> old = fireTimes(id, current);
                while (first != null && epochMinute(first) < planned && firesAt(old, first)) {
                    Instant after = first;
                    first = times.flatMap(t -> t.nextAfter(after)).orElse(null);
                }
            }
            next = first == null ? NOT_PLANNED : epochMinute(first);
            if (next != NOT_PLANNED && next <= nowMinute) {
                // promised before now: published at once, on time for this minute, by the catch-up policy before
                next = fire(id, tracked, next, nowMinute, now);
            }
        }
        plan(id, next, written != null);
    }

    /** Records a schedule's next fire minute in the plans store and the timeline. */
    private void plan(long id, long minute, boolean hadPlan) {
        if (minute != NOT_PLANNED) {
            plans.put(id, minute);
            timeline.put(minute, id);
        } else if (hadPlan) {
            plans.delete(id);
        }
    }

    /**
     * Publishes every timeline entry due by now, a bounded batch per call, then records how far it got. A batch
     * that hit the bound is followed by another as soon as the thread comes back, after the commit.
     */
    void tick() {
        Instant now = clock.instant();
        long nowMinute = epochMinute(now);
        Timeline.Due due = timeline.takeDue(nowMinute, settings.maxSchedulesPerTick());
        if (due.count == 0) {
            return;
        }
        for (int i = 0; i < due.count; i++) {
            long id = due.scheduleIds[i];
            long minute = due.minutes[i];
            TrackedSchedule tracked = schedules.get(id);
            if (tracked == null) {
                // the timeline is derived from the stores; this would be a bug, and firing on it a stray run
                LOG.warnf("dropped a timeline entry of schedule %d, which is not stored", id);
                continue;
            }
            long next = fire(id, tracked, minute, nowMinute, now);
            if (minute == nowMinute && next != NOT_PLANNED) {
                // on time: the progress below implies the new plan
                timeline.put(next, id);
            } else {
                plan(id, next, true);
            }
        }
        progress = TimelineKey.of(due.minutes[due.count - 1], due.scheduleIds[due.count - 1]);
        progressStore.put(PROGRESS_KEY, progress);
        if (due.count == settings.maxSchedulesPerTick() && !followUpScheduled) {
            followUpScheduled = true;
            once(Duration.ofMillis(1), () -> {
                followUpScheduled = false;
                tick();
            });
        }
    }

    /**
     * Handles each fire time of a schedule from {@code fromMinute} through {@code throughMinute} (at most the current
     * minute) and returns the minute of its first fire time after {@code throughMinute}, or {@link #NOT_PLANNED}.
     * The current minute's fire time is published on time; earlier ones were missed (the ticker was down or behind,
     * or the schedule reached it late) and go by the schedule's catch-up policy: {@code fire_once} publishes the
     * latest missed one inside the catch-up window and counts the others as skipped, {@code fire_all} publishes
     * each one inside the window, {@code skip} none; missed ones older than the window are always skipped. The
     * first run published carries the skipped ones before it (and those waiting from earlier calls); what no run
     * carries waits for the schedule's next run.
     */
    private long fire(long id, TrackedSchedule schedule, long fromMinute, long throughMinute, Instant now) {
        Optional<FireTimes> times = fireTimes(id, schedule);
        long nowMinute = epochMinute(now);
        CatchUp policy = schedule.catchUp() == null ? CatchUp.FIRE_ONCE : schedule.catchUp();
        Instant pendingLate = null;
        long skipped = 0;
        Instant fireTime = Instant.ofEpochSecond(fromMinute * 60);
        while (fireTime != null && epochMinute(fireTime) <= throughMinute) {
            if (epochMinute(fireTime) == nowMinute) {
                publish(id, schedule, fireTime, now, false, skipped);
                skipped = 0;
            } else if (policy == CatchUp.SKIP) {
                metrics.skippedByPolicy();
                skipped++;
            } else if (Duration.between(fireTime, now).compareTo(settings.catchUpWindow()) > 0) {
                metrics.skippedOutsideWindow();
                skipped++;
            } else if (policy == CatchUp.FIRE_ALL) {
                publish(id, schedule, fireTime, now, true, skipped);
                skipped = 0;
            } else {
                if (pendingLate != null) {
                    metrics.skippedAsCoalesced();
                    skipped++;
                }
                pendingLate = fireTime;
            }
            Instant after = fireTime;
            fireTime = times.flatMap(t -> t.nextAfter(after)).orElse(null);
            if (pendingLate != null
                    && (fireTime == null
                            || epochMinute(fireTime) >= nowMinute
                            || epochMinute(fireTime) > throughMinute)) {
                // the latest missed one: published before the current minute's run, in time order
                publish(id, schedule, pendingLate, now, true, skipped);
                pendingLate = null;
                skipped = 0;
            }
        }
        if (skipped > 0) {
            long waiting = skippedWaiting.merge(id, skipped, Long::sum);
            skippedStore.put(id, waiting);
        }
        return fireTime == null ? NOT_PLANNED : epochMinute(fireTime);
    }

    /** Publishes a run carrying {@code skipped} fire times skipped before it, and those waiting for a run. */
    private void publish(
            long scheduleId, TrackedSchedule schedule, Instant scheduledFor, Instant now, boolean late, long skipped) {
        if (!skippedWaiting.isEmpty()) {
            Long waiting = skippedWaiting.remove(scheduleId);
            if (waiting != null) {
                skippedStore.delete(scheduleId);
                skipped += waiting;
            }
        }
        int skippedRuns = (int) Math.min(skipped, Integer.MAX_VALUE);
        long runId = Ids.runId(scheduleId, scheduledFor);
        // stable per run, so a re-published run keeps its start time
        long jitter = schedule.jitterSeconds() > 0 ? Math.floorMod(runId, schedule.jitterSeconds() + 1L) : 0;
        Instant notBefore = scheduledFor.plusSeconds(jitter);
        String key = Long.toString(scheduleId);
        long timestamp = now.toEpochMilli();
        Headers headers = runTrace(scheduleId, runId, schedule, scheduledFor, late);
        if (schedule.itemsJson().length <= settings.sliceBudgetBytes()) {
            String minute = minuteText.of(scheduledFor);
            context.forward(new Record<>(
                    key,
                    DueRunJson.write(
                            runId,
                            scheduleId,
                            schedule.owner(),
                            minute,
                            jitter == 0 ? minute : notBefore.toString(),
                            late,
                            schedule.itemCount(),
                            schedule.itemsJson(),
                            nowText.of(now),
                            skippedRuns),
                    timestamp,
                    headers));
            metrics.published(1, Duration.between(scheduledFor, now));
            return;
        }
        List<DueRunSlicer.Slice> slices = slicer.slice(schedule.items(), schedule.itemsJson().length);
        for (int i = 0; i < slices.size(); i++) {
            DueRunSlicer.Slice slice = slices.get(i);
            DueRun run = DueRun.of(
                            runId,
                            scheduleId,
                            schedule.owner(),
                            scheduledFor,
                            notBefore,
                            late,
                            i,
                            slices.size(),
                            slice.offset(),
                            schedule.itemCount(),
                            slice.items(),
                            now)
                    .withSkippedRuns(skippedRuns);
            context.forward(new Record<>(key, EventJson.write(run), timestamp, headers));
        }
        metrics.published(slices.size(), Duration.between(scheduledFor, now));
    }

    /**
     * The headers of a run's records: with tracing on, the context of the run's span, the root of a trace of its
     * own (a run starts at its minute, not inside the request that created the schedule, perhaps months before),
     * linked to the trace of the request that made the schedule's current revision. Every slice of the run carries
     * the same context. Null (no headers) when tracing is off.
     */
    private Headers runTrace(
            long scheduleId, long runId, TrackedSchedule schedule, Instant scheduledFor, boolean late) {
        if (!tracing.enabled()) {
            return null;
        }
        Span span = tracing.startRoot(
                settings.dueRunsTopic() + " publish", SpanKind.PRODUCER, tracing.spanContext(schedule.traceparent()));
        span.setAttribute("messaging.system", "kafka");
        span.setAttribute("messaging.destination.name", settings.dueRunsTopic());
        span.setAttribute("recur.schedule_id", scheduleId);
        span.setAttribute("recur.run_id", runId);
        span.setAttribute("recur.scheduled_for", scheduledFor.toString());
        span.setAttribute("recur.late", late);
        Headers headers = new RecordHeaders();
        tracing.inject(Context.root().with(span), headers);
        span.end();
        return headers;
    }

    /** The minute of a schedule's first fire time strictly after {@code after}, or {@link #NOT_PLANNED}. */
    private long nextMinuteAfter(long id, TrackedSchedule schedule, Instant after) {
        return fireTimes(id, schedule)
                .flatMap(t -> t.nextAfter(after))
                .map(ScheduleProcessor::epochMinute)
                .orElse(NOT_PLANNED);
    }

    private static boolean firesAt(Optional<FireTimes> times, Instant instant) {
        return times.flatMap(t -> t.nextAfter(instant.minusNanos(1)))
                .filter(instant::equals)
                .isPresent();
    }

    private Optional<FireTimes> fireTimes(long id, TrackedSchedule schedule) {
        try {
            // only values that parsed are kept: a failed parse throws out of get and caches nothing
            CronExpression cron = crons.get(schedule.cron(), CronExpression::parse);
            ZoneId zone = zones.get(schedule.timezone(), ZoneId::of);
            return Optional.of(new FireTimes(cron, zone, schedule.start(), schedule.end()));
        } catch (InvalidCronException | DateTimeException e) {
            // schedule-api validates both; a schedule that still has neither never fires rather than stop the ticker
            LOG.errorf(
                    "schedule %d has cron '%s' in zone '%s' that cannot be evaluated: %s",
                    id, schedule.cron(), schedule.timezone(), e.getMessage());
            return Optional.empty();
        }
    }

    static long epochMinute(Instant instant) {
        return Math.floorDiv(instant.getEpochSecond(), 60);
    }

    /** The text of the last instant asked for, kept until another one is asked for. */
    private static final class InstantText {

        private Instant instant;
        private String text;

        String of(Instant value) {
            if (!value.equals(instant)) {
                instant = value;
                text = value.toString();
            }
            return text;
        }
    }
}
