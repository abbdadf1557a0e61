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
 * Keeps the schedules of one partition and fires them: snapshots go into the schedules store and each active
 * schedule has one entry in the timeline store at its next fire minute; a wall-clock punctuator publishes every
 * entry whose minute has come and re-plans it. Stores and output commit in one exactly-once transaction.
 */
final class ScheduleProcessor implements Processor<String, byte[], String, DueRun> {

    private static final Logger LOG = Logger.getLogger(ScheduleProcessor.class);
    private static final byte[] PRESENT = {1};
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

    private ProcessorContext<String, DueRun> context;
    private KeyValueStore<Long, TrackedSchedule> schedules;
    private KeyValueStore<Bytes, byte[]> timeline;

    ScheduleProcessor(TickerSettings settings, Clock clock, TickerMetrics metrics) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.slicer = new DueRunSlicer(settings.sliceBudgetBytes());
    }

    @Override
    public void init(ProcessorContext<String, DueRun> context) {
        this.context = context;
        this.schedules = context.getStateStore(TickerTopology.SCHEDULES_STORE);
        this.timeline = context.getStateStore(TickerTopology.TIMELINE_STORE);
        metrics.track(schedules);
        context.schedule(settings.tickInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> tick());
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
        if (current != null && current.planned()) {
            // a run that came due before this change was made still belongs to the old version
            if (current.plannedMinute() <= epochMinute(now)) {
                current = fire(id, current, now);
            }
            if (current.planned()) {
                timeline.delete(TimelineKey.of(current.plannedMinute(), id));
            }
        }
        if (snapshot == null) {
            schedules.delete(id);
            return;
        }
        long planned = firstMinute(id, snapshot, now);
        schedules.put(id, new TrackedSchedule(planned, snapshot.revision(), json));
        if (planned != TrackedSchedule.NOT_PLANNED) {
            timeline.put(TimelineKey.of(planned, id), PRESENT);
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
            TrackedSchedule tracked = schedules.get(id);
            if (tracked == null || tracked.plannedMinute() != TimelineKey.epochMinute(key)) {
                LOG.warnf("dropped a timeline entry of schedule %d that its schedule does not plan", id);
                continue;
            }
            TrackedSchedule next = fire(id, tracked, now);
            schedules.put(id, next);
            if (next.planned()) {
                timeline.put(TimelineKey.of(next.plannedMinute(), id), PRESENT);
            }
        }
    }

    /**
     * Publishes (or, if missed and not to be caught up, skips) each fire time of a schedule from its planned minute
     * up to now, and returns it planned at its first fire time after now.
     */
    private TrackedSchedule fire(long id, TrackedSchedule tracked, Instant now) {
        ScheduleSnapshot snapshot = tracked.snapshot();
        Optional<Planner> planner = planner(id, snapshot);
        long nowMinute = epochMinute(now);
        Instant fireTime = Instant.ofEpochSecond(tracked.plannedMinute() * 60);
        while (fireTime != null && epochMinute(fireTime) <= nowMinute) {
            boolean late = epochMinute(fireTime) < nowMinute;
            if (!late) {
                publish(snapshot, tracked.json().length, fireTime, now, false);
            } else if (snapshot.catchUp() == CatchUp.SKIP) {
                metrics.skippedByPolicy();
            } else if (Duration.between(fireTime, now).compareTo(settings.catchUpWindow()) > 0) {
                metrics.skippedOutsideWindow();
            } else {
                publish(snapshot, tracked.json().length, fireTime, now, true);
            }
            Instant after = fireTime;
            fireTime = planner.flatMap(p -> p.nextAfter(after)).orElse(null);
        }
        return tracked.plannedAt(fireTime == null ? TrackedSchedule.NOT_PLANNED : epochMinute(fireTime));
    }

    private void publish(ScheduleSnapshot snapshot, int snapshotBytes, Instant scheduledFor, Instant now,
            boolean late) {
        long scheduleId = snapshot.scheduleId();
        long runId = Ids.runId(scheduleId, scheduledFor);
        // stable per run, so a re-published run keeps its start time
        long jitter = snapshot.jitterSeconds() > 0 ? Math.floorMod(runId, snapshot.jitterSeconds() + 1L) : 0;
        Instant notBefore = scheduledFor.plusSeconds(jitter);
        List<DueRunSlicer.Slice> slices = slicer.slice(snapshot.items(), snapshotBytes);
        int totalItems = snapshot.items() == null ? 0 : snapshot.items().size();
        String key = Long.toString(scheduleId);
        for (int i = 0; i < slices.size(); i++) {
            DueRunSlicer.Slice slice = slices.get(i);
            DueRun run = DueRun.of(runId, scheduleId, snapshot.owner(), scheduledFor, notBefore, late, i,
                    slices.size(), slice.offset(), totalItems, slice.items(), now);
            context.forward(new Record<>(key, run, now.toEpochMilli()));
        }
        metrics.published(slices.size(), Duration.between(scheduledFor, now));
    }

    /** The first fire minute of a new or changed schedule: its first fire time after now, or none. */
    private long firstMinute(long id, ScheduleSnapshot snapshot, Instant now) {
        if (!snapshot.active()) {
            return TrackedSchedule.NOT_PLANNED;
        }
        return planner(id, snapshot).flatMap(p -> p.nextAfter(now)).map(ScheduleProcessor::epochMinute)
                .orElse(TrackedSchedule.NOT_PLANNED);
    }

    private Optional<Planner> planner(long id, ScheduleSnapshot snapshot) {
        try {
            CronExpression cron = crons.computeIfAbsent(snapshot.cron(), CronExpression::parse);
            return Optional.of(new Planner(cron, ZoneId.of(snapshot.timezone()), snapshot.startTime(),
                    snapshot.endTime()));
        } catch (InvalidCronException | DateTimeException e) {
            // schedule-api validates both; a schedule that still has neither never fires rather than stop the ticker
            LOG.errorf("schedule %d has cron '%s' in zone '%s' that cannot be evaluated: %s", id, snapshot.cron(),
                    snapshot.timezone(), e.getMessage());
            return Optional.empty();
        }
    }

    static long epochMinute(Instant instant) {
        return Math.floorDiv(instant.getEpochSecond(), 60);
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
