package dev.recur.ticker.streams;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import dev.recur.common.cron.CronExpression;
import dev.recur.common.cron.InvalidCronException;
import dev.recur.common.event.CatchUp;
import dev.recur.common.event.DueRun;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;

/**
 * Keeps the schedules of one partition and fires them: snapshots go into the schedules store, each active schedule's
 * next fire minute into the plans store, and the timeline indexes the plans by (minute, schedule id); a wall-clock
 * punctuator publishes every timeline entry whose minute has come and re-plans it. The schedules store and the plans
 * store are changelogged and commit with the output in one exactly-once transaction; the timeline is derived from
 * the plans store whenever the task starts, so that firing a run writes one small plan record besides the run.
 */
final class ScheduleProcessor implements Processor<String, byte[], String, byte[]> {

    private static final Logger LOG = Logger.getLogger(ScheduleProcessor.class);
    private static final byte[] PRESENT = {1};
    private static final long NOT_PLANNED = -1;
    private static final int CRON_CACHE_SIZE = 4096;

    private final TickerSettings settings;
    private final Clock clock;
    private final TickerMetrics metrics;
    private final DueRunSlicer slicer;
    // parsing a cron is far costlier than evaluating it, and most schedules share a few expressions
    private final Map<String, CronExpression> crons = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CronExpression> eldest) {
            return size() > CRON_CACHE_SIZE;
        }
    };

    // the runs of one tick share a few minutes and one publish time: each is formatted once
    private final InstantText minuteText = new InstantText();
    private final InstantText nowText = new InstantText();

    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<Long, TrackedSchedule> schedules;
    private KeyValueStore<Long, Long> plans;
    private KeyValueStore<Bytes, byte[]> timeline;

    ScheduleProcessor(TickerSettings settings, Clock clock, TickerMetrics metrics) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.slicer = new DueRunSlicer(settings.sliceBudgetBytes());
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.schedules = context.getStateStore(TickerTopology.SCHEDULES_STORE);
        this.plans = context.getStateStore(TickerTopology.PLANS_STORE);
        this.timeline = context.getStateStore(TickerTopology.TIMELINE_STORE);
        rebuildTimeline();
        metrics.track(schedules);
        context.schedule(settings.tickInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> tick());
    }

    /**
     * Streams initializes the processor once the changelogged stores are restored, also after a crash or an aborted
     * transaction, so the plans hold exactly what was committed and the timeline is rebuilt from them.
     */
    private void rebuildTimeline() {
        List<Bytes> stale = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> entries = timeline.all()) {
            entries.forEachRemaining(entry -> stale.add(entry.key));
        }
        stale.forEach(timeline::delete);
        try (KeyValueIterator<Long, Long> all = plans.all()) {
            all.forEachRemaining(plan -> timeline.put(TimelineKey.of(plan.value, plan.key), PRESENT));
        }
    }

    @Override
    public void close() {
        metrics.untrack(schedules);
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
                snapshot = EventJson.read(json, ScheduleSnapshot.class);
            } catch (RuntimeException e) {
                LOG.errorf(e, "ignoring an unreadable snapshot of schedule %d", id);
                return;
            }
        }
        TrackedSchedule current = schedules.get(id);
        if (snapshot != null && current != null && snapshot.revision() <= current.revision()) {
            return;
        }
        Long planned = plans.get(id);
        if (current != null && planned != null) {
            timeline.delete(TimelineKey.of(planned, id));
            // a run that came due before this change was made still belongs to the old version; the new version
            // is planned from now below
            if (planned <= epochMinute(now)) {
                fire(id, current, planned, now);
            }
        }
        if (snapshot == null) {
            schedules.delete(id);
            plans.delete(id);
            return;
        }
        TrackedSchedule tracked = TrackedSchedule.of(snapshot);
        schedules.put(id, tracked);
        plan(id, snapshot.active() ? firstMinute(id, tracked, now) : NOT_PLANNED, planned != null);
    }

    /** Records a schedule's next fire minute in the plans store and the timeline. */
    private void plan(long id, long minute, boolean hadPlan) {
        if (minute != NOT_PLANNED) {
            plans.put(id, minute);
            timeline.put(TimelineKey.of(minute, id), PRESENT);
        } else if (hadPlan) {
            plans.delete(id);
        }
    }

    /** Publishes every timeline entry due by now, a bounded batch per call. */
    void tick() {
        Instant now = clock.instant();
        List<Bytes> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> entries = timeline.range(TimelineKey.FIRST,
                TimelineKey.lastOf(epochMinute(now)))) {
            while (entries.hasNext() && due.size() < settings.maxSchedulesPerTick()) {
                due.add(entries.next().key);
            }
        }
        for (Bytes key : due) {
            timeline.delete(key);
            long id = TimelineKey.scheduleId(key);
            long minute = TimelineKey.epochMinute(key);
            // the timeline is derived from the plans; a disagreement would be a bug, and firing on it a stray run
            Long planned = plans.get(id);
            TrackedSchedule tracked = planned != null && planned == minute ? schedules.get(id) : null;
            if (tracked == null) {
                LOG.warnf("dropped a timeline entry of schedule %d that its plan does not hold", id);
                continue;
            }
            plan(id, fire(id, tracked, minute, now), true);
        }
    }

    /**
     * Publishes (or, if missed and not to be caught up, skips) each fire time of a schedule from its planned minute
     * up to now, and returns the minute of its first fire time after now, or {@link #NOT_PLANNED}.
     */
    private long fire(long id, TrackedSchedule schedule, long plannedMinute, Instant now) {
        Optional<Planner> planner = planner(id, schedule);
        long nowMinute = epochMinute(now);
        Instant fireTime = Instant.ofEpochSecond(plannedMinute * 60);
        while (fireTime != null && epochMinute(fireTime) <= nowMinute) {
            boolean late = epochMinute(fireTime) < nowMinute;
            if (!late) {
                publish(id, schedule, fireTime, now, false);
            } else if (schedule.catchUp() == CatchUp.SKIP) {
                metrics.skippedByPolicy();
            } else if (Duration.between(fireTime, now).compareTo(settings.catchUpWindow()) > 0) {
                metrics.skippedOutsideWindow();
            } else {
                publish(id, schedule, fireTime, now, true);
            }
            Instant after = fireTime;
            fireTime = planner.flatMap(p -> p.nextAfter(after)).orElse(null);
        }
        return fireTime == null ? NOT_PLANNED : epochMinute(fireTime);
    }

    private void publish(long scheduleId, TrackedSchedule schedule, Instant scheduledFor, Instant now,
            boolean late) {
        long runId = Ids.runId(scheduleId, scheduledFor);
        // stable per run, so a re-published run keeps its start time
        long jitter = schedule.jitterSeconds() > 0 ? Math.floorMod(runId, schedule.jitterSeconds() + 1L) : 0;
        Instant notBefore = scheduledFor.plusSeconds(jitter);
        String key = Long.toString(scheduleId);
        long timestamp = now.toEpochMilli();
        if (schedule.itemsJson().length <= settings.sliceBudgetBytes()) {
            String minute = minuteText.of(scheduledFor);
            context.forward(new Record<>(key, DueRunJson.write(runId, scheduleId, schedule.owner(), minute,
                    jitter == 0 ? minute : notBefore.toString(), late, schedule.itemCount(), schedule.itemsJson(),
                    nowText.of(now)), timestamp));
            metrics.published(1, Duration.between(scheduledFor, now));
            return;
        }
        List<DueRunSlicer.Slice> slices = slicer.slice(schedule.items(), schedule.itemsJson().length);
        for (int i = 0; i < slices.size(); i++) {
            DueRunSlicer.Slice slice = slices.get(i);
            DueRun run = DueRun.of(runId, scheduleId, schedule.owner(), scheduledFor, notBefore, late, i,
                    slices.size(), slice.offset(), schedule.itemCount(), slice.items(), now);
            context.forward(new Record<>(key, EventJson.write(run), timestamp));
        }
        metrics.published(slices.size(), Duration.between(scheduledFor, now));
    }

    /** The first fire minute of a new or changed active schedule: its first fire time after now, or none. */
    private long firstMinute(long id, TrackedSchedule schedule, Instant now) {
        return planner(id, schedule).flatMap(p -> p.nextAfter(now)).map(ScheduleProcessor::epochMinute)
                .orElse(NOT_PLANNED);
    }

    private Optional<Planner> planner(long id, TrackedSchedule schedule) {
        try {
            CronExpression cron = crons.computeIfAbsent(schedule.cron(), CronExpression::parse);
            return Optional.of(new Planner(cron, ZoneId.of(schedule.timezone()), schedule.start(), schedule.end()));
        } catch (InvalidCronException | DateTimeException e) {
            // schedule-api validates both; a schedule that still has neither never fires rather than stop the ticker
            LOG.errorf("schedule %d has cron '%s' in zone '%s' that cannot be evaluated: %s", id, schedule.cron(),
                    schedule.timezone(), e.getMessage());
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

    /** Fire times of one schedule version: cron matches in its zone, not before its start, not after its end. */
    private record Planner(CronExpression cron, ZoneId zone, Instant start, Instant end) {

        Optional<Instant> nextAfter(Instant after) {
            Instant from = start != null && !start.minusNanos(1).isBefore(after) ? start.minusNanos(1) : after;
            Optional<Instant> next = cron.next(from, zone);
            return end == null ? next : next.filter(fire -> !fire.isAfter(end));
        }
    }
}
