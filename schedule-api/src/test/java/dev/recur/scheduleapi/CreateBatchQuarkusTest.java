package dev.recur.scheduleapi;

import static dev.recur.scheduleapi.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.recur.common.event.CatchUp;
import dev.recur.common.event.Overlap;
import dev.recur.common.id.Ids;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.domain.Schedule;
import dev.recur.scheduleapi.repository.GroupCommitCreates;
import dev.recur.scheduleapi.repository.ReactiveScheduleRepository;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * Group commit of creates: creates that arrive while the create statements allowed in flight are busy are written
 * together by one statement. The statements in flight are held by creates of a user whose row a test transaction
 * has locked, so that the creates under test wait and form one batch when the lock is released. The outbox keeps its
 * published rows here (a retention), so that each create's row can be counted after the relay has sent it.
 */
@QuarkusTest
@TestProfile(CreateBatchQuarkusTest.KeepSentOutboxRows.class)
@QuarkusTestResource(ScheduleApiTestResources.class)
class CreateBatchQuarkusTest {

    /** Published outbox rows are marked sent and kept for an hour instead of deleted. */
    public static class KeepSentOutboxRows implements QuarkusTestProfile {

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("recur.schedule-api.outbox.sent-retention", "PT1H");
        }
    }

    @Inject
    ReactiveScheduleRepository repository;

    @Inject
    ScheduleApiConfig config;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    Vertx vertx;

    /** What a create's Uni delivered, and whether on the context that subscribed to it. */
    record Outcome(Boolean created, Throwable failure, boolean onOwnContext) {}

    @Test
    void shouldWriteWaitingCreatesInOneTransactionWhenStatementsAreInFlight() throws Exception {
        String first = Api.newUser();
        String second = Api.newUser();
        List<Schedule> schedules =
                List.of(schedule(first), schedule(first), schedule(first), schedule(second), schedule(second));

        List<Outcome> outcomes = whileStatementsAreBusy(schedules);

        assertThat(outcomes).allSatisfy(outcome -> {
            assertThat(outcome.created()).isTrue();
            assertThat(outcome.onOwnContext()).isTrue();
        });
        assertThat(query("SELECT count(*) FROM schedule WHERE owner IN (?, ?)", first, second))
                .isEqualTo(5);
        // rows written by one transaction carry its id
        assertThat(query("SELECT count(DISTINCT xmin::text) FROM schedule WHERE owner IN (?, ?)", first, second))
                .isEqualTo(1);
        assertThat(activeSchedules(first)).isEqualTo(3);
        assertThat(activeSchedules(second)).isEqualTo(2);
        assertThat(outboxRows(schedules)).isEqualTo(5);
        String keys =
                String.join(",", schedules.stream().map(s -> "'" + s.id + "'").toList());
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                query("SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL AND message_key IN ("
                                        + keys + ")"))
                        .as("published and kept, marked sent")
                        .isEqualTo(5));
    }

    @Test
    void shouldSplitWaitingCreatesWhoseItemsTogetherExceedTheBatchBytes() throws Exception {
        String owner = Api.newUser();
        // three creates of a bit more than a third of the bound each: two fit one statement, the third does not
        String query = "x".repeat((int) (GroupCommitCreates.MAX_BATCH_BYTES * 2 / 5));
        List<Schedule> schedules = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Schedule large = schedule(owner);
            large.items = "[{\"source\": \"universal\", \"query\": \"" + query + "\"}]";
            schedules.add(large);
        }

        List<Outcome> outcomes = whileStatementsAreBusy(schedules);

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.created()).isTrue());
        assertThat(query("SELECT count(*) FROM schedule WHERE owner = ?", owner))
                .isEqualTo(3);
        assertThat(query("SELECT count(DISTINCT xmin::text) FROM schedule WHERE owner = ?", owner))
                .isEqualTo(2);
        assertThat(activeSchedules(owner)).isEqualTo(3);
    }

    @Test
    void shouldCreateExactlyTheQuotaWhenOneUserCreatesMoreThanItInOneBatch() throws Exception {
        String greedy = Api.newUser();
        String other = Api.newUser();
        List<Schedule> schedules = new ArrayList<>();
        for (int i = 0; i < ScheduleApiQuarkusTest.QUOTA + 7; i++) {
            schedules.add(schedule(greedy));
        }
        schedules.add(schedule(other));
        schedules.add(schedule(other));

        List<Outcome> outcomes = whileStatementsAreBusy(schedules);

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.failure()).isNull());
        assertThat(outcomes.subList(0, ScheduleApiQuarkusTest.QUOTA + 7))
                .filteredOn(Outcome::created)
                .hasSize(ScheduleApiQuarkusTest.QUOTA);
        assertThat(outcomes.subList(ScheduleApiQuarkusTest.QUOTA + 7, outcomes.size()))
                .allSatisfy(outcome -> assertThat(outcome.created()).isTrue());
        assertThat(activeSchedules(greedy)).isEqualTo(ScheduleApiQuarkusTest.QUOTA);
        assertThat(query("SELECT count(*) FROM schedule WHERE owner = ?", greedy))
                .isEqualTo(ScheduleApiQuarkusTest.QUOTA);
        assertThat(outboxRows(schedules)).isEqualTo(ScheduleApiQuarkusTest.QUOTA + 2);
        assertThat(activeSchedules(other)).isEqualTo(2);
    }

    @Test
    void shouldAnswerEveryOtherCreateWhenOneMemberOfBatchFails() throws Exception {
        String owner = Api.newUser();
        String other = Api.newUser();
        Schedule colliding = schedule(owner);
        colliding.id = Api.createSchedule(owner);
        List<Schedule> schedules = List.of(schedule(owner), colliding, schedule(other), schedule(other));

        List<Outcome> outcomes = whileStatementsAreBusy(schedules);

        assertThat(outcomes.get(1).failure())
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));
        assertThat(List.of(outcomes.get(0), outcomes.get(2), outcomes.get(3)))
                .allSatisfy(outcome -> assertThat(outcome.created()).isTrue());
        // the existing schedule and the new one; the colliding create reserved nothing
        assertThat(activeSchedules(owner)).isEqualTo(2);
        assertThat(activeSchedules(other)).isEqualTo(2);
        assertThat(outboxRows(List.of(schedules.get(0), schedules.get(2), schedules.get(3))))
                .isEqualTo(3);
    }

    @Test
    void shouldCreateExactlyTheQuotaWhenOneUserPostsConcurrently() throws Exception {
        String user = Api.newUser();
        int requests = 16;
        ExecutorService clients = Executors.newFixedThreadPool(requests);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                statuses.add(clients.submit(() ->
                        as(user).body(Api.scheduleBody()).post("/v1/schedules").statusCode()));
            }
            List<Integer> answered = new ArrayList<>();
            for (Future<Integer> status : statuses) {
                answered.add(status.get(60, TimeUnit.SECONDS));
            }
            assertThat(answered).filteredOn(status -> status == 201).hasSize(ScheduleApiQuarkusTest.QUOTA);
            assertThat(answered).filteredOn(status -> status == 429).hasSize(requests - ScheduleApiQuarkusTest.QUOTA);
        } finally {
            clients.shutdownNow();
        }
        assertThat(activeSchedules(user)).isEqualTo(ScheduleApiQuarkusTest.QUOTA);
        assertThat(query("SELECT count(*) FROM schedule WHERE owner = ?", user))
                .isEqualTo(ScheduleApiQuarkusTest.QUOTA);
    }

    @Test
    void shouldQueueBatchesSharingAnOwnerOnTheOwnersAdvisoryLock() throws Exception {
        String owner = Api.newUser();
        String other = Api.newUser();
        List<CompletableFuture<Outcome>> batch;
        try (Connection otherBatch = dataSource.getConnection()) {
            // what a batch of another replica holds while it reserves the owner's quota
            otherBatch.setAutoCommit(false);
            try (PreparedStatement lock = otherBatch.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                lock.setInt(1, GroupCommitCreates.QUOTA_LOCK_CLASS);
                lock.setString(2, Long.toString(query("SELECT id FROM app_user WHERE username = ?", owner)));
                lock.executeQuery().close();
            }
            batch = submitWhileStatementsAreBusy(List.of(schedule(owner), schedule(other)));
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(query(
                                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2"
                                            + " AND classid = " + GroupCommitCreates.QUOTA_LOCK_CLASS))
                            .as("the batch waits for the owner's advisory lock")
                            .isEqualTo(1));
            assertThat(batch).noneMatch(CompletableFuture::isDone);
            otherBatch.commit();
        }
        for (CompletableFuture<Outcome> create : batch) {
            assertThat(create.get(30, TimeUnit.SECONDS).created()).isTrue();
        }
        assertThat(activeSchedules(owner)).isEqualTo(1);
        assertThat(activeSchedules(other)).isEqualTo(1);
    }

    /**
     * Occupies every in-flight place with creates of a user whose row is locked, submits {@code schedules} (each from
     * a context of its own, in this order), then releases the lock and returns their outcomes in the same order.
     */
    private List<Outcome> whileStatementsAreBusy(List<Schedule> schedules) throws Exception {
        List<Outcome> done = new ArrayList<>();
        for (CompletableFuture<Outcome> create : submitWhileStatementsAreBusy(schedules)) {
            done.add(create.get(30, TimeUnit.SECONDS));
        }
        return done;
    }

    /**
     * Like {@link #whileStatementsAreBusy}, but returns once the creates that held the in-flight places have
     * completed: {@code schedules}' creates are then on their way as one batch.
     */
    private List<CompletableFuture<Outcome>> submitWhileStatementsAreBusy(List<Schedule> schedules) throws Exception {
        String blocker = Api.newUser();
        Context base = vertx.getOrCreateContext();
        List<CompletableFuture<Outcome>> blocked = new ArrayList<>();
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement select =
                    lock.prepareStatement("SELECT 1 FROM app_user WHERE username = ? FOR UPDATE")) {
                select.setString(1, blocker);
                select.executeQuery().close();
            }
            for (int i = 0; i < config.createBatch().statementsInFlight(); i++) {
                blocked.add(submit(base, schedule(blocker)));
            }
            for (Schedule schedule : schedules) {
                outcomes.add(submit(((ContextInternal) base).duplicate(), schedule));
            }
            assertThat(blocked).noneMatch(CompletableFuture::isDone);
            assertThat(outcomes).noneMatch(CompletableFuture::isDone);
            lock.commit();
        }
        for (CompletableFuture<Outcome> create : blocked) {
            assertThat(create.get(30, TimeUnit.SECONDS).created()).isTrue();
        }
        return outcomes;
    }

    /** Subscribes to a create on {@code context}; returns once it has been submitted. */
    private CompletableFuture<Outcome> submit(Context context, Schedule schedule) throws Exception {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        CompletableFuture<Void> submitted = new CompletableFuture<>();
        byte[] snapshot = ("{\"schedule_id\":" + schedule.id + "}").getBytes(StandardCharsets.UTF_8);
        context.runOnContext(ignored -> {
            repository
                    .createWithinQuota(schedule, snapshot)
                    .subscribe()
                    .with(
                            created -> outcome.complete(new Outcome(created, null, Vertx.currentContext() == context)),
                            failure -> outcome.complete(new Outcome(null, failure, Vertx.currentContext() == context)));
            submitted.complete(null);
        });
        submitted.get(10, TimeUnit.SECONDS);
        return outcome;
    }

    private Schedule schedule(String owner) throws SQLException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Schedule s = new Schedule();
        s.id = Ids.newScheduleId();
        s.owner = owner;
        s.ownerId = query("SELECT id FROM app_user WHERE username = ?", owner);
        s.cron = "0 16 * * *";
        s.timezone = "UTC";
        s.items = "[{\"source\": \"amazon_product\", \"query\": \"B098FKXT8L\"}]";
        s.itemsCount = 1;
        s.endTime = now.plus(365, ChronoUnit.DAYS);
        s.active = true;
        s.catchUp = CatchUp.SKIP;
        s.overlap = Overlap.SKIP;
        s.revision = 1;
        s.createdAt = now;
        s.updatedAt = now;
        return s;
    }

    private long activeSchedules(String user) throws SQLException {
        return query("SELECT active_schedules FROM app_user WHERE username = ?", user);
    }

    private long outboxRows(List<Schedule> schedules) throws SQLException {
        String keys =
                String.join(",", schedules.stream().map(s -> "'" + s.id + "'").toList());
        return query("SELECT count(*) FROM outbox WHERE message_key IN (" + keys + ")");
    }

    private long query(String sql, String... parameters) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setString(i + 1, parameters[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
