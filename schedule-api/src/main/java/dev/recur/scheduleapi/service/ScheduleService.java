package dev.recur.scheduleapi.service;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.cron.FireTimes;
import dev.recur.common.event.ScheduleSnapshot;
import dev.recur.common.event.Topics;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.domain.Schedule;
import dev.recur.scheduleapi.messaging.OutboxRelay;
import dev.recur.scheduleapi.repository.AppUserRepository;
import dev.recur.scheduleapi.repository.OutboxRepository;
import dev.recur.scheduleapi.repository.ReactiveScheduleRepository;
import dev.recur.scheduleapi.repository.ScheduleRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Schedule use cases. Every change writes the schedule's full snapshot to the outbox in the same
 * transaction, so Kafka sees exactly the committed changes, in commit order, without a dual write.
 */
@ApplicationScoped
public class ScheduleService {

    @Inject
    ScheduleRepository schedules;

    @Inject
    ReactiveScheduleRepository reactive;

    @Inject
    AppUserRepository users;

    @Inject
    OutboxRepository outbox;

    @Inject
    ScheduleApiConfig config;

    @Inject
    Clock clock;

    @Inject
    OutboxRelay relay;

    @Inject
    TenantBucketService tenantBuckets;

    /**
     * Not a JTA transaction: the schedule, its outbox row and the quota reservation are written by one SQL statement,
     * atomic by itself (with the creates of other requests under load: group commit), on the non-blocking client: the
     * hottest write runs on the HTTP event loop, without a worker thread.
     */
    public Uni<Schedule> create(Caller owner, ScheduleDefinition definition) {
        if (TenantBucketService.namesStorage(definition.items())) {
            // the owner's bucket list is read with JDBC, off the event loop; rare: most items name no bucket
            return tenantBuckets
                    .checkNonBlocking(owner.id(), definition.items())
                    .chain(() -> insert(owner, definition));
        }
        return insert(owner, definition);
    }

    private Uni<Schedule> insert(Caller owner, ScheduleDefinition definition) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Schedule schedule = new Schedule();
        schedule.id = Ids.newScheduleId();
        schedule.owner = owner.username();
        schedule.ownerId = owner.id();
        schedule.active = true;
        schedule.revision = 1;
        schedule.createdAt = now;
        apply(schedule, definition, now);
        return reactive.createWithinQuota(schedule, snapshot(schedule, definition.items()))
                .map(created -> {
                    if (!created) {
                        throw quotaExceeded();
                    }
                    // the statement has committed: wake the relay directly. Firing OutboxWritten would do the same
                    // (a transactional observer is notified at once outside a transaction), but ArC looks up the
                    // transaction manager and its status on every fire: 8 % of the create's worker-thread samples
                    relay.wake();
                    return schedule;
                });
    }

    @Transactional
    public Schedule replace(long id, long owner, ScheduleDefinition definition) {
        Schedule schedule = owned(id, owner);
        tenantBuckets.check(owner, definition.items());
        apply(schedule, definition, clock.instant());
        schedule.revision++;
        writeSnapshot(schedule, definition.items());
        return schedule;
    }

    @Transactional
    public void changeState(long id, long owner, boolean active) {
        Schedule schedule = owned(id, owner);
        Instant now = clock.instant();
        // checked before the no-op case: a schedule that ran to its end_time is still flagged active, and
        // "activate" on it must say that it cannot run again rather than pretend to succeed
        if (active && !schedule.endTime.isAfter(now)) {
            throw ApiException.invalid(
                    "active", "the schedule ended at its end_time; replace it with a later end_time to reactivate it");
        }
        if (schedule.active == active) {
            return;
        }
        schedule.active = active;
        schedule.updatedAt = now;
        schedule.revision++;
        writeSnapshot(schedule, parseItems(schedule.items));
        if (active) {
            reserveActive(owner);
        } else {
            users.releaseActiveSchedule(owner);
        }
    }

    @Transactional
    public void delete(long id, long owner) {
        Schedule schedule = owned(id, owner);
        schedules.delete(schedule);
        outbox.write(config.outbox().topic(), Topics.key(id), null);
        if (schedule.active) {
            users.releaseActiveSchedule(owner);
        }
    }

    /**
     * A schedule with its statistics, in one query on the non-blocking client: the API's most frequent request runs
     * on the HTTP event loop, without a worker thread, a JDBC connection or a transaction.
     */
    public Uni<ScheduleDetail> detail(long id, long owner) {
        return reactive.findOwnedWithStats(id, owner).map(found -> {
            if (found == null) {
                throw ApiException.notFound("schedule " + id);
            }
            return new ScheduleDetail(
                    found.schedule(), nextRunAt(found.schedule()), ReadModelService.statsJson(found.stats()));
        });
    }

    @Transactional
    public List<Long> list(long owner, Boolean active, long afterId, int limit) {
        return schedules.idsOf(owner, active, afterId, limit);
    }

    /** The next fire time after now, or null when the schedule is inactive or will not fire again before its end. */
    public Instant nextRunAt(Schedule schedule) {
        return nextRunAfter(schedule, clock.instant());
    }

    /**
     * The first fire time of the version just written: the first one after the instant the change was accepted
     * ({@code updated_at}, which the snapshot carries), the minute from which the ticker plans it, however late
     * the ticker reads the snapshot.
     */
    public Instant firstRunAt(Schedule schedule) {
        return nextRunAfter(schedule, schedule.updatedAt);
    }

    private static Instant nextRunAfter(Schedule schedule, Instant after) {
        if (!schedule.active) {
            return null;
        }
        return new FireTimes(
                        Crons.parse(schedule.cron), ZoneId.of(schedule.timezone), schedule.startTime, schedule.endTime)
                .nextAfter(after)
                .orElse(null);
    }

    public List<Instant> preview(PreviewRequest request) {
        return request.cron().nextTimes(request.after(), request.zone(), request.count());
    }

    /** The caller's schedule, locked for the change (see {@link ScheduleRepository#findOwnedForUpdate}). */
    private Schedule owned(long id, long owner) {
        Optional<Schedule> schedule = schedules.findOwnedForUpdate(id, owner);
        return schedule.orElseThrow(() -> ApiException.notFound("schedule " + id));
    }

    private void reserveActive(long owner) {
        // last statement before commit: the user's row stays locked for as short a time as possible
        schedules.flush();
        if (!users.tryReserveActiveSchedule(owner, config.maxActiveSchedulesPerUser())) {
            throw quotaExceeded();
        }
    }

    private ApiException quotaExceeded() {
        return new ApiException(
                429,
                "quota exceeded: at most " + config.maxActiveSchedulesPerUser() + " active schedules per user",
                List.of());
    }

    private static void apply(Schedule schedule, ScheduleDefinition definition, Instant now) {
        schedule.cron = definition.cron();
        schedule.timezone = definition.timezone();
        schedule.items = itemsJson(definition.items());
        schedule.itemsCount = definition.items().size();
        schedule.startTime = definition.startTime();
        schedule.endTime = definition.endTime();
        schedule.catchUp = definition.catchUp();
        schedule.overlap = definition.overlap();
        schedule.jitterSeconds = definition.jitterSeconds();
        schedule.updatedAt = now;
    }

    private void writeSnapshot(Schedule s, List<ObjectNode> items) {
        outbox.write(config.outbox().topic(), Topics.key(s.id), snapshot(s, items));
    }

    private static byte[] snapshot(Schedule s, List<ObjectNode> items) {
        return EventJson.write(ScheduleSnapshot.of(
                s.id,
                s.owner,
                s.revision,
                s.cron,
                s.timezone,
                items,
                s.startTime,
                s.endTime,
                s.active,
                s.catchUp,
                s.overlap,
                s.jitterSeconds,
                s.createdAt,
                s.updatedAt));
    }

    /** Written straight from the request's nodes; {@code valueToTree} first copied the whole tree. */
    private static String itemsJson(List<ObjectNode> items) {
        try {
            return EventJson.mapper().writeValueAsString(items);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("items parsed from JSON cannot be written as JSON", e);
        }
    }

    private static List<ObjectNode> parseItems(String json) {
        try {
            JsonNode array = EventJson.mapper().readTree(json);
            List<ObjectNode> items = new ArrayList<>(array.size());
            array.forEach(item -> items.add((ObjectNode) item));
            return items;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored items are not JSON", e);
        }
    }
}
