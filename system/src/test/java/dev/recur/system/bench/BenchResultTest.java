package dev.recur.system.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.recur.common.id.Ids;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a run's records become its figures: each job counted once, exactness failing on a duplicate or a gap. */
class BenchResultTest {

    private static final Instant MINUTE = Instant.parse("2026-12-07T06:00:00Z");
    private static final List<Long> SCHEDULES = List.of(11L, 12L);
    private static final int ITEMS = 2;

    @TempDir
    Path dir;

    @Test
    void shouldJudgeSaturationByTheSecondsInWhichMinutesDrainedNotTheIdleRestOfTheMinute() {
        SystemCpu.IntervalMeter meter = new SystemCpu.IntervalMeter();
        meter.sample(new long[] {0, 0}, false);
        meter.sample(new long[] {1_900, 2_000}, true); // draining: 95 % busy
        meter.sample(new long[] {2_000, 8_000}, false); // idle rest of the minute: not counted
        meter.sample(new long[] {3_800, 10_000}, true); // draining again: 90 %
        assertThat(meter.busyShare()).isEqualTo(0.925);

        Map<String, Double> cores = Map.of("delivery", 0.4, "s3proxy", 0.25);
        assertThat(BenchResult.saturation(cores, Map.of(), meter.busyShare(), 2))
                .startsWith("the machine's CPU: 2 cores 93% busy while minutes drained, most of it delivery");
        assertThat(BenchResult.saturation(cores, Map.of(), 0.5, 2)).startsWith("not the machine's CPU");
        assertThat(new SystemCpu.IntervalMeter().busyShare()).isNaN();
    }

    @Test
    void shouldCountEachJobOnceFromItsMinuteToItsLastDelivery() throws IOException {
        BenchResult result = result(List.of(), List.of());

        assertThat(result.problems()).isEmpty();
        assertThat(result.exact()).isTrue();
        BenchResult.Minute minute = result.minutes().get(0);
        assertThat(minute.done()).isEqualTo(4);
        // callbacks at +1..+4 s, objects at +0.5..+3.5 s: the last job is done at +4 s
        assertThat(minute.drainSeconds()).isEqualTo(4.0);
        assertThat(minute.jobsPerSecond()).isEqualTo(1.0);
        assertThat(minute.toCallback()).isEqualTo(new BenchResult.Latency(2.0, 4.0, 4.0));
        assertThat(minute.toObject()).isEqualTo(new BenchResult.Latency(1.5, 3.5, 3.5));
        assertThat(result.overall().done()).isEqualTo(4);
    }

    @Test
    void shouldFailTheRunOnADuplicateCallback() throws IOException {
        BenchResult result = result(List.of(0), List.of());

        assertThat(result.exact()).isFalse();
        assertThat(result.problems()).containsExactly(MINUTE + ": 1 duplicate callbacks");
        assertThat(result.minutes().get(0).done()).isEqualTo(4);
    }

    @Test
    void shouldFailTheRunOnAMissingObject() throws IOException {
        BenchResult result = result(List.of(), List.of(3));

        assertThat(result.exact()).isFalse();
        assertThat(result.problems()).containsExactly(MINUTE + ": 1 of 4 S3 objects never written");
        assertThat(result.minutes().get(0).done()).isEqualTo(3);
    }

    @Test
    void shouldCountTheTimeOfOverlappingDrainsOnce() throws IOException {
        // two "minutes" 2 s apart, each drained in 4 s: busy from +0 to +6 s, not 8 s
        BenchResult result = result(List.of(MINUTE, MINUTE.plusSeconds(2)), List.of(), List.of());

        assertThat(result.exact()).isTrue();
        assertThat(result.minutes())
                .extracting(BenchResult.Minute::drainSeconds)
                .containsExactly(4.0, 4.0);
        assertThat(result.overall().drainSeconds()).isEqualTo(6.0);
        assertThat(result.overall().done()).isEqualTo(8);
    }

    private BenchResult result(List<Integer> calledTwice, List<Integer> noObject) throws IOException {
        return result(List.of(MINUTE), calledTwice, noObject);
    }

    private BenchResult result(List<Instant> minutes, List<Integer> calledTwice, List<Integer> noObject)
            throws IOException {
        RecurBench.Jobs jobs = new RecurBench.Jobs(SCHEDULES, ITEMS, minutes);
        Path records = dir.resolve("callbacks.bin");
        Path bucket = dir.resolve("bucket");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(records))) {
            for (Instant minute : minutes) {
                long minuteMicros = minute.getEpochSecond() * 1_000_000;
                int job = 0;
                for (long schedule : SCHEDULES) {
                    long run = Ids.runId(schedule, minute);
                    for (int item = 0; item < ITEMS; item++, job++) {
                        long jobId = Ids.jobId(run, item);
                        long received = minuteMicros + (job + 1) * 1_000_000L;
                        for (int copy = 0; copy < (calledTwice.contains(job) ? 2 : 1); copy++) {
                            out.writeLong(jobId);
                            out.writeLong(schedule);
                            out.writeLong(minute.getEpochSecond());
                            out.writeLong(received + copy * 500_000L);
                        }
                        if (!noObject.contains(job)) {
                            Path object = Files.createDirectories(bucket.resolve("i" + item))
                                    .resolve(jobId + ".json");
                            Files.writeString(object, "{}");
                            Files.setLastModifiedTime(object, FileTime.from(minute.plusMillis(job * 1000L + 500)));
                        }
                    }
                }
            }
        }
        try (RandomAccessFile file = new RandomAccessFile(records.toFile(), "r")) {
            jobs.read(file);
        }
        jobs.readObjects(bucket, Instant.EPOCH);
        SystemCpu.Snapshot none = new SystemCpu.Snapshot(0, Map.of(), Map.of(), 0, 0);
        BenchOptions options = BenchOptions.parse(dir, "--schedules", "2", "--items", "2");
        return BenchResult.of(options, minutes, jobs, none, none, Double.NaN);
    }
}
