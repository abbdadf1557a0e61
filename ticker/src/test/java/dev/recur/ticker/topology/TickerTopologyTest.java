package dev.recur.ticker.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.CatchUp;
import dev.recur.common.event.DueRun;
import dev.recur.common.id.Ids;
import dev.recur.common.json.EventJson;
import dev.recur.ticker.state.TimelineKey;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class TickerTopologyTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final long ID = 4242;

    private static Instant t(String time) {
        return Instant.parse("2026-03-02T" + time + "Z");
    }

    private static List<Instant> times(List<DueRun> runs) {
        return runs.stream().map(DueRun::scheduledFor).toList();
    }

    @Test
    void shouldFireEveryMatchingMinuteUntilEndTimeInclusiveWhenCreated() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.at(t("10:00:30"));
            ticker.send(Snapshots.schedule(ID, "*/15 * * * *").end(t("11:00:00")));

            List<DueRun> runs = ticker.runMinutes(t("10:01:00"), t("12:00:00"));

            assertThat(times(runs)).containsExactly(t("10:15:00"), t("10:30:00"), t("10:45:00"), t("11:00:00"));
            DueRun first = runs.get(0);
            assertThat(first.runId()).isEqualTo(Ids.runId(ID, t("10:15:00")));
            assertThat(first.scheduleId()).isEqualTo(ID);
            assertThat(first.owner()).isEqualTo("alice");
            assertThat(first.items()).isEqualTo(Snapshots.items(1));
            assertThat(first.late()).isFalse();
            assertThat(first.notBefore()).isEqualTo(first.scheduledFor());
            assertThat(first.publishedAt()).isEqualTo(t("10:15:00.500"));
            assertThat(List.of(first.sliceIndex(), first.sliceCount(), first.itemOffset(), first.totalItems()))
                    .containsExactly(0, 1, 0, 1);
            assertThat(ticker.timelineKeys()).isEmpty();
            assertThat(ticker.count("recur.ticker.runs.published")).isEqualTo(4);
            assertThat(ticker.registry
                            .get("recur.ticker.publish.lateness")
                            .timer()
                            .count())
                    .isEqualTo(4);
            assertThat(ticker.registry
                            .get("recur.ticker.schedules.tracked")
                            .gauge()
                            .value())
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldNotFireBeforeStartTimeWhenStartIsInTheFuture() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.send(Snapshots.schedule(ID, "*/10 * * * *").start(t("10:30:00")));

            List<DueRun> runs = ticker.runMinutes(t("10:01:00"), t("10:50:00"));

            assertThat(times(runs)).containsExactly(t("10:30:00"), t("10:40:00"), t("10:50:00"));
        }
    }

    @Test
    void shouldReplanFromNextMatchingMinuteWithoutStrayRunWhenUpdated() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            Snapshots schedule = Snapshots.schedule(ID, "0 * * * *");
            ticker.at(t("10:00:30"));
            ticker.send(schedule);
            ticker.at(t("10:20:30"));
            ticker.send(schedule.next().cron("30 * * * *"));

            List<DueRun> runs = ticker.runMinutes(t("10:21:00"), t("12:10:00"));

            assertThat(times(runs)).containsExactly(t("10:30:00"), t("11:30:00"));
            assertThat(ticker.timelineKeys()).hasSize(1);
            assertThat(TimelineKey.epochMinute(ticker.timelineKeys().get(0)))
                    .isEqualTo(ScheduleProcessor.epochMinute(t("12:30:00")));
        }
    }

    @Test
    void shouldDropSnapshotWhenRevisionIsNotNewer() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            Snapshots schedule = Snapshots.schedule(ID, "0 * * * *").next();
            ticker.send(schedule);
            ticker.send(Snapshots.schedule(ID, "*/5 * * * *"));
            ticker.send(schedule.cron("*/5 * * * *"));

            List<DueRun> runs = ticker.runMinutes(t("10:01:00"), t("11:00:00"));

            assertThat(times(runs)).containsExactly(t("11:00:00"));
        }
    }

    @Test
    void shouldStopWhenDeactivatedAndResumeFromNowWithoutCatchUpWhenReactivated() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            Snapshots schedule = Snapshots.schedule(ID, "*/10 * * * *");
            ticker.at(t("10:00:30"));
            ticker.send(schedule);
            List<DueRun> runs = new ArrayList<>(ticker.runMinutes(t("10:01:00"), t("10:15:00")));
            ticker.at(t("10:15:30"));
            Snapshots paused = schedule.next().active(false);
            ticker.send(paused);
            runs.addAll(ticker.runMinutes(t("10:16:00"), t("11:05:00")));
            assertThat(ticker.timelineKeys()).isEmpty();
            ticker.at(t("11:05:30"));
            ticker.send(paused.next().active(true));
            runs.addAll(ticker.runMinutes(t("11:06:00"), t("11:20:00")));

            assertThat(times(runs)).containsExactly(t("10:10:00"), t("11:10:00"), t("11:20:00"));
            assertThat(runs).noneMatch(DueRun::late);
        }
    }

    @Test
    void shouldForgetScheduleInBothStoresWhenDeleted() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.send(Snapshots.schedule(ID, "*/10 * * * *"));
            ticker.send(Snapshots.schedule(ID + 1, "*/10 * * * *"));
            List<DueRun> runs = new ArrayList<>(ticker.runMinutes(t("10:01:00"), t("10:10:00")));
            ticker.at(t("10:10:30"));
            ticker.delete(ID);
            runs.addAll(ticker.runMinutes(t("10:11:00"), t("10:30:00")));

            assertThat(runs)
                    .filteredOn(run -> run.scheduleId() == ID)
                    .extracting(DueRun::scheduledFor)
                    .containsExactly(t("10:10:00"));
            assertThat(runs).filteredOn(run -> run.scheduleId() == ID + 1).hasSize(3);
            assertThat(ticker.schedulesStore().get(ID)).isNull();
            assertThat(ticker.timelineKeys())
                    .extracting(TimelineKey::scheduleId)
                    .containsExactly(ID + 1);
        }
    }

    @Test
    void shouldFireOnlyTheLatestMissedRunWithinWindowWhenCatchUpIsFireOnceAndTickerWasDown() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.at(t("10:00:30"));
            ticker.send(Snapshots.schedule(ID, "*/10 * * * *"));

            // no punctuation between 10:00:30 and 12:05:00: the ticker was down
            ticker.at(t("12:05:00"));
            List<DueRun> caughtUp = ticker.runs();
            List<DueRun> after = ticker.runMinutes(t("12:06:00"), t("12:10:00"));

            assertThat(times(caughtUp)).containsExactly(t("12:00:00"));
            assertThat(caughtUp).allMatch(DueRun::late);
            assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "fire_once_coalesced"))
                    .isEqualTo(5);
            assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "older_than_catch_up_window"))
                    .isEqualTo(6);
            // the one late run carries every skipped minute before it, for the schedule's stats
            assertThat(caughtUp.get(0).skippedRuns()).isEqualTo(11);
            assertThat(times(after)).containsExactly(t("12:10:00"));
            assertThat(after.get(0).late()).isFalse();
            assertThat(after.get(0).skippedRuns()).isZero();
            assertThat(ticker.skippedWaiting()).isEmpty();
        }
    }

    @Test
    void shouldFireEveryMissedRunWithinWindowWhenCatchUpIsFireAll() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.at(t("10:00:30"));
            ticker.send(Snapshots.schedule(ID, "*/10 * * * *").catchUp(CatchUp.FIRE_ALL));

            ticker.at(t("12:05:00"));
            List<DueRun> caughtUp = ticker.runs();
            List<DueRun> after = ticker.runMinutes(t("12:06:00"), t("12:10:00"));

            assertThat(times(caughtUp))
                    .containsExactly(
                            t("11:10:00"), t("11:20:00"), t("11:30:00"), t("11:40:00"), t("11:50:00"), t("12:00:00"));
            assertThat(caughtUp).allMatch(DueRun::late);
            // the minutes older than the window ride on the first run after them
            assertThat(caughtUp).extracting(DueRun::skippedRuns).containsExactly(6, 0, 0, 0, 0, 0);
            assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "older_than_catch_up_window"))
                    .isEqualTo(6);
            assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "fire_once_coalesced"))
                    .isZero();
            assertThat(times(after)).containsExactly(t("12:10:00"));
        }
    }

    @Test
    void shouldFireMissedRunLateAndCurrentMinuteOnTimeWhenTickerComesBackAtAFireMinute() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.at(t("10:00:30"));
            ticker.send(Snapshots.schedule(ID, "* * * * *"));

            // down from 10:00:30 to 10:33:10: 32 minutes missed, the 33rd is the current one
            ticker.at(t("10:33:10"));
            List<DueRun> caughtUp = ticker.runs();

            assertThat(caughtUp)
                    .extracting(DueRun::scheduledFor, DueRun::late)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(t("10:32:00"), true),
                            org.assertj.core.groups.Tuple.tuple(t("10:33:00"), false));
            assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "fire_once_coalesced"))
                    .isEqualTo(31);
            assertThat(caughtUp).extracting(DueRun::skippedRuns).containsExactly(31, 0);
        }
    }

    @Test
    void shouldFireThePromisedMinuteOnceWhenTheSnapshotReachesTheTickerAfterIt() {
        try (TickerDriver ticker = new TickerDriver(t("10:22:00"))) {
            ticker.at(t("10:22:58"));
            Snapshots schedule = Snapshots.schedule(ID, "* * * * *").acceptedAt(t("10:22:58"));
            // the API answered next_run_at 10:23:00; the ticker reads the snapshot at 10:23:13
            ticker.at(t("10:23:13"));
            ticker.send(schedule);
            List<DueRun> runs = new ArrayList<>(ticker.runs());
            runs.addAll(ticker.runMinutes(t("10:24:00"), t("10:25:00")));

            assertThat(times(runs)).containsExactly(t("10:23:00"), t("10:24:00"), t("10:25:00"));
            assertThat(runs).noneMatch(DueRun::late);
        }
    }

    @Test
    void shouldApplyTheCatchUpPolicyToPromisedMinutesWhenTheSnapshotArrivesMinutesLate() {
        for (CatchUp policy : CatchUp.values()) {
            try (TickerDriver ticker = new TickerDriver(t("10:22:00"))) {
                ticker.at(t("10:22:58"));
                Snapshots schedule =
                        Snapshots.schedule(ID, "* * * * *").catchUp(policy).acceptedAt(t("10:22:58"));
                ticker.at(t("10:26:10"));
                ticker.send(schedule);
                List<DueRun> runs = ticker.runs();

                List<Instant> expected = switch (policy) {
                    case FIRE_ONCE -> List.of(t("10:25:00"), t("10:26:00"));
                    case FIRE_ALL -> List.of(t("10:23:00"), t("10:24:00"), t("10:25:00"), t("10:26:00"));
                    case SKIP -> List.of(t("10:26:00"));
                };
                assertThat(times(runs)).as("%s", policy).isEqualTo(expected);
                assertThat(runs)
                        .as("%s", policy)
                        .allMatch(run -> run.late() == run.scheduledFor().isBefore(t("10:26:00")));
                assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "fire_once_coalesced"))
                        .as("%s", policy)
                        .isEqualTo(policy == CatchUp.FIRE_ONCE ? 2 : 0);
                assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "catch_up_skip"))
                        .as("%s", policy)
                        .isEqualTo(policy == CatchUp.SKIP ? 3 : 0);
                List<Integer> skipped = switch (policy) {
                    case FIRE_ONCE -> List.of(2, 0);
                    case FIRE_ALL -> List.of(0, 0, 0, 0);
                    case SKIP -> List.of(3);
                };
                assertThat(runs)
                        .as("%s", policy)
                        .extracting(DueRun::skippedRuns)
                        .isEqualTo(skipped);
                assertThat(times(ticker.runMinutes(t("10:27:00"), t("10:27:00"))))
                        .containsExactly(t("10:27:00"));
            }
        }
    }

    @Test
    void shouldNotRepeatAMinuteTheOldVersionFiredWhenAChangeAcceptedBeforeItArrivesAfterTheTick() {
        try (TickerDriver ticker = new TickerDriver(t("10:00:30"))) {
            Snapshots schedule = Snapshots.schedule(ID, "* * * * *").acceptedAt(t("10:00:30"));
            ticker.send(schedule);
            List<DueRun> runs = new ArrayList<>(ticker.runMinutes(t("10:01:00"), t("10:05:00")));
            // accepted just before 10:06, read after the tick fired 10:06 for the old version
            ticker.at(t("10:06:10"));
            runs.addAll(ticker.runs());
            ticker.send(schedule.next().items(Snapshots.items(2)).acceptedAt(t("10:05:59.900")));
            runs.addAll(ticker.runs());
            runs.addAll(ticker.runMinutes(t("10:07:00"), t("10:07:00")));

            assertThat(times(runs))
                    .containsExactly(
                            t("10:01:00"),
                            t("10:02:00"),
                            t("10:03:00"),
                            t("10:04:00"),
                            t("10:05:00"),
                            t("10:06:00"),
                            t("10:07:00"));
            assertThat(runs.get(6).items()).hasSize(2);
        }
    }

    @Test
    void shouldNotFireTheOldVersionAfterAPauseAcceptedBeforeTheMinuteWhenItArrivesLate() {
        try (TickerDriver ticker = new TickerDriver(t("10:00:30"))) {
            Snapshots schedule = Snapshots.schedule(ID, "* * * * *").acceptedAt(t("10:00:30"));
            ticker.send(schedule);
            List<DueRun> runs = new ArrayList<>(ticker.runMinutes(t("10:01:00"), t("10:04:00")));
            // the pause was accepted at 10:04:59.9; the stream thread reads it at 10:05:00.1, before its tick
            ticker.at(t("10:04:50"));
            ticker.clockAt(t("10:05:00.100"));
            ticker.send(schedule.next().active(false).acceptedAt(t("10:04:59.900")));
            runs.addAll(ticker.runs());
            runs.addAll(ticker.runMinutes(t("10:05:00"), t("10:10:00")));

            assertThat(times(runs)).containsExactly(t("10:01:00"), t("10:02:00"), t("10:03:00"), t("10:04:00"));
            assertThat(ticker.timelineKeys()).isEmpty();
        }
    }

    @Test
    void shouldSkipMissedRunsAndCountThemWhenCatchUpIsSkip() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.at(t("10:00:30"));
            ticker.send(Snapshots.schedule(ID, "*/10 * * * *").catchUp(CatchUp.SKIP));

            ticker.at(t("10:35:00"));
            List<DueRun> caughtUp = ticker.runs();
            List<DueRun> after = ticker.runMinutes(t("10:36:00"), t("10:40:00"));

            assertThat(caughtUp).isEmpty();
            assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "catch_up_skip"))
                    .isEqualTo(3);
            assertThat(times(after)).containsExactly(t("10:40:00"));
            // no late run carried them: the next run, on time, does
            assertThat(after).extracting(DueRun::skippedRuns).containsExactly(3);
            assertThat(ticker.skippedWaiting()).isEmpty();
        }
    }

    @Test
    void shouldKeepSkippedRunsInTheSkippedStoreUntilTheNextRunCarriesThemOnce() {
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.at(t("10:00:30"));
            ticker.send(Snapshots.schedule(ID, "*/10 * * * *").catchUp(CatchUp.SKIP));
            ticker.send(Snapshots.schedule(ID + 1, "*/10 * * * *").catchUp(CatchUp.SKIP));
            ticker.at(t("10:35:00"));

            // written with the plans, in the tick's transaction: what a revived task reads back
            assertThat(ticker.runs()).isEmpty();
            assertThat(ticker.skippedWaiting())
                    .containsExactly(java.util.Map.entry(ID, 3L), java.util.Map.entry(ID + 1, 3L));
            ticker.at(t("10:35:30"));
            ticker.delete(ID + 1);
            assertThat(ticker.skippedWaiting()).containsExactly(java.util.Map.entry(ID, 3L));

            // down again across 10:40 and 10:50: two more, carried with the three before them
            ticker.at(t("10:55:00"));
            List<DueRun> runs = new ArrayList<>(ticker.runs());
            assertThat(ticker.skippedWaiting()).containsExactly(java.util.Map.entry(ID, 5L));
            runs.addAll(ticker.runMinutes(t("10:56:00"), t("11:20:00")));

            assertThat(runs)
                    .extracting(DueRun::scheduledFor, DueRun::skippedRuns)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(t("11:00:00"), 5),
                            org.assertj.core.groups.Tuple.tuple(t("11:10:00"), 0),
                            org.assertj.core.groups.Tuple.tuple(t("11:20:00"), 0));
            assertThat(ticker.skippedWaiting()).isEmpty();
            assertThat(ticker.count("recur.ticker.runs.skipped", "reason", "catch_up_skip"))
                    .isEqualTo(8);
        }
    }

    @Test
    void shouldCarryEachSkippedMinuteOnceWhateverThePolicyAndOutages() {
        for (CatchUp policy : CatchUp.values()) {
            try (TickerDriver ticker = new TickerDriver(T0)) {
                ticker.at(t("10:00:30"));
                ticker.send(Snapshots.schedule(ID, "*/5 * * * *").catchUp(policy));
                List<DueRun> runs = new ArrayList<>();
                // outages of 17, 72 (longer than the one-hour window) and 5 minutes between stretches of ticks
                runs.addAll(ticker.runMinutes(t("10:01:00"), t("10:10:00")));
                ticker.at(t("10:27:10"));
                runs.addAll(ticker.runs());
                runs.addAll(ticker.runMinutes(t("10:28:00"), t("10:31:00")));
                ticker.at(t("11:43:20"));
                runs.addAll(ticker.runs());
                runs.addAll(ticker.runMinutes(t("11:44:00"), t("11:46:00")));
                ticker.at(t("11:51:40"));
                runs.addAll(ticker.runs());
                runs.addAll(ticker.runMinutes(t("11:52:00"), t("12:30:00")));

                double skipped = ticker.count("recur.ticker.runs.skipped", "reason", "fire_once_coalesced")
                        + ticker.count("recur.ticker.runs.skipped", "reason", "older_than_catch_up_window")
                        + ticker.count("recur.ticker.runs.skipped", "reason", "catch_up_skip");
                // every five minutes from 10:05 through 12:30: 30 fire times, each either run or skipped
                assertThat(runs.size() + skipped).as("%s", policy).isEqualTo(30);
                assertThat(runs.stream().mapToInt(DueRun::skippedRuns).sum())
                        .as("%s", policy)
                        .isEqualTo((int) skipped);
                assertThat(ticker.skippedWaiting()).as("%s", policy).isEmpty();
            }
        }
    }

    @Test
    void shouldFireRunDueBeforeChangeWhenChangeArrivesBeforeTheTick() {
        // punctuations at 15 and 45 seconds past each minute
        try (TickerDriver ticker = new TickerDriver(
                T0.plusSeconds(15), TickerDriver.DEFAULTS.withTick(java.time.Duration.ofSeconds(30), 20_000))) {
            Snapshots schedule = Snapshots.schedule(ID, "5 * * * *");
            ticker.send(schedule);
            ticker.runMinutes(t("10:01:00"), t("10:04:00"));
            ticker.at(t("10:04:50"));
            // the change comes in the fire minute before the stream thread punctuated (at the boundary or 10:05:15)
            ticker.clockAt(t("10:05:00.100"));
            assertThat(ticker.runs()).isEmpty();
            ticker.send(schedule.next().active(false));

            assertThat(times(ticker.runs())).containsExactly(t("10:05:00"));
            assertThat(ticker.timelineKeys()).isEmpty();
        }
    }

    @Test
    void shouldPublishAtTheMinuteBoundaryWhenRegularTicksFallElsewhere() {
        // regular punctuations at 15 and 45 seconds past each minute
        try (TickerDriver ticker = new TickerDriver(
                T0.plusSeconds(15), TickerDriver.DEFAULTS.withTick(java.time.Duration.ofSeconds(30), 20_000))) {
            ticker.send(Snapshots.schedule(ID, "5 * * * *"));
            ticker.at(t("10:04:59.999"));
            assertThat(ticker.runs()).isEmpty();

            ticker.at(t("10:05:00"));

            assertThat(ticker.runs()).extracting(DueRun::publishedAt).containsExactly(t("10:05:00"));
        }
    }

    @Test
    void shouldGoOnRightAfterTheCommitWhenATickHitsItsBoundAndRebuildTheSameTimelineMidMinute() {
        try (TickerDriver ticker = new TickerDriver(
                T0.plusSeconds(15), TickerDriver.DEFAULTS.withTick(java.time.Duration.ofSeconds(30), 2))) {
            for (long id = 1; id <= 5; id++) {
                ticker.send(Snapshots.schedule(id, "* * * * *"));
            }
            ticker.at(t("10:00:59"));
            ticker.at(t("10:01:00"));
            List<DueRun> first = ticker.runs();
            Set<Bytes> rebuilt = ticker.timelineAfterRestart();
            List<Bytes> live = ticker.timelineKeys();
            ticker.at(t("10:01:00.001"));
            List<DueRun> second = ticker.runs();
            ticker.at(t("10:01:00.002"));
            List<DueRun> third = ticker.runs();

            assertThat(first).extracting(DueRun::scheduleId).containsExactly(1L, 2L);
            // 1 and 2 wait at 10:02 without a plan record written, 3 to 5 still at 10:01
            assertThat(rebuilt)
                    .as("rebuilt after a bounded tick")
                    .isEqualTo(new HashSet<>(live))
                    .hasSize(5);
            assertThat(second).extracting(DueRun::scheduleId).containsExactly(3L, 4L);
            assertThat(third).extracting(DueRun::scheduleId).containsExactly(5L);
            assertThat(ticker.timelineAfterRestart()).isEqualTo(new HashSet<>(ticker.timelineKeys()));
            assertThat(ticker.timelineKeys())
                    .extracting(TimelineKey::epochMinute)
                    .containsOnly(t("10:02:00").getEpochSecond() / 60);
        }
    }

    @Test
    void shouldSkipSpringGapAndFireRepeatedTimeOnceWhenZoneHasDst() {
        Instant spring = Instant.parse("2026-03-06T12:00:00Z");
        try (TickerDriver ticker = new TickerDriver(spring)) {
            ticker.send(Snapshots.schedule(ID, "30 2 * * *").zone("America/New_York"));
            ticker.send(Snapshots.schedule(ID + 1, "30 1 * * *").zone("America/New_York"));

            List<DueRun> runs = ticker.runMinutes(spring.plusSeconds(60), Instant.parse("2026-03-10T12:00:00Z"));

            // 2026-03-08 02:30 does not exist in New York: clocks jump from 02:00 EST to 03:00 EDT
            assertThat(runs)
                    .filteredOn(run -> run.scheduleId() == ID)
                    .extracting(DueRun::scheduledFor)
                    .containsExactly(
                            Instant.parse("2026-03-07T07:30:00Z"),
                            Instant.parse("2026-03-09T06:30:00Z"),
                            Instant.parse("2026-03-10T06:30:00Z"));
        }
        Instant fall = Instant.parse("2026-10-31T12:00:00Z");
        try (TickerDriver ticker = new TickerDriver(fall)) {
            ticker.send(Snapshots.schedule(ID + 1, "30 1 * * *").zone("America/New_York"));

            List<DueRun> runs = ticker.runMinutes(fall.plusSeconds(60), Instant.parse("2026-11-02T12:00:00Z"));

            // 2026-11-01 01:30 happens twice (EDT, then EST): it fires once, at the earlier one
            assertThat(times(runs))
                    .containsExactly(Instant.parse("2026-11-01T05:30:00Z"), Instant.parse("2026-11-02T06:30:00Z"));
        }
    }

    @Test
    void shouldStartNotBeforeWithinJitterStablyPerRunWhenJitterIsSet() {
        List<DueRun> first;
        List<DueRun> second;
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.send(Snapshots.schedule(ID, "* * * * *").jitter(30));
            first = ticker.runMinutes(t("10:01:00"), t("11:00:00"));
        }
        try (TickerDriver ticker = new TickerDriver(T0)) {
            ticker.send(Snapshots.schedule(ID, "* * * * *").jitter(30));
            second = ticker.runMinutes(t("10:01:00"), t("11:00:00"));
        }

        assertThat(first)
                .hasSize(60)
                .allSatisfy(run -> assertThat(run.notBefore())
                        .isBetween(run.scheduledFor(), run.scheduledFor().plusSeconds(30)));
        assertThat(first.stream()
                        .map(run -> run.notBefore().getEpochSecond()
                                - run.scheduledFor().getEpochSecond())
                        .distinct()
                        .count())
                .isGreaterThan(10);
        assertThat(second.stream().map(DueRun::notBefore).toList())
                .isEqualTo(first.stream().map(DueRun::notBefore).toList());
    }

    @Test
    void shouldSplitRunIntoSlicesFormingExactlyTheItemsWhenItemsExceedBudget() {
        int budget = 1024;
        List<ObjectNode> items = IntStream.range(0, 100)
                .mapToObj(i -> EventJson.mapper()
                        .createObjectNode()
                        .put("source", "universal")
                        .put("url", "https://example.com/" + "x".repeat(i)))
                .toList();
        try (TickerDriver ticker = new TickerDriver(T0, TickerDriver.DEFAULTS.withSliceBudgetBytes(budget))) {
            ticker.send(Snapshots.schedule(ID, "*/10 * * * *").items(items));

            List<DueRun> slices = ticker.runMinutes(t("10:01:00"), t("10:10:00"));

            assertThat(slices.size()).isGreaterThan(5);
            List<ObjectNode> joined = new ArrayList<>();
            for (int i = 0; i < slices.size(); i++) {
                DueRun slice = slices.get(i);
                assertThat(slice.sliceIndex()).isEqualTo(i);
                assertThat(slice.sliceCount()).isEqualTo(slices.size());
                assertThat(slice.itemOffset()).isEqualTo(joined.size());
                assertThat(slice.totalItems()).isEqualTo(items.size());
                assertThat(slice.runId()).isEqualTo(Ids.runId(ID, t("10:10:00")));
                assertThat(EventJson.write(slice.items()).length).isLessThanOrEqualTo(budget);
                joined.addAll(slice.items());
            }
            assertThat(joined).isEqualTo(items);
            assertThat(ticker.count("recur.ticker.runs.published")).isEqualTo(1);
            assertThat(ticker.count("recur.ticker.slices.published")).isEqualTo(slices.size());
        }
    }
}
