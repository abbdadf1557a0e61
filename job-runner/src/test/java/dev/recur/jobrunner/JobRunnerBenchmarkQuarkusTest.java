package dev.recur.jobrunner;

import static dev.recur.jobrunner.DueRunTraffic.dueRun;
import static dev.recur.jobrunner.DueRunTraffic.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.DueRun;
import dev.recur.common.json.EventJson;
import dev.recur.testinfra.ChildJvm;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.Ports;
import dev.recur.testinfra.ProcessCpu;
import dev.recur.testinfra.StubPageServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Jobs per second through job-runner on the real broker, with an instant local page server behind the
 * built-in fetcher, for runs of 1 and of 50 items. Not in CI: {@code -Drecur.excludedGroups=none -Dgroups=benchmark}.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(JobRunnerBenchmarkQuarkusTest.Throughput.class)
@QuarkusTestResource(JobRunnerTestResources.class)
class JobRunnerBenchmarkQuarkusTest {

    /** Production defaults for the limits the test profile lowers. */
    public static class Throughput implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "recur.job-runner.max-in-flight",
                    "64",
                    "recur.job-runner.max-in-flight-per-owner",
                    "16",
                    "quarkus.log.category.\"org.apache.kafka\".level",
                    "WARN");
        }
    }

    private static final AtomicLong NEXT_SCHEDULE = new AtomicLong(System.nanoTime() & 0xffffffL);

    /** Names the threads of the benchmark's own Kafka clients carry (see {@link DueRunTraffic}). */
    private static final String HARNESS_CLIENT = "jr-bench";

    @Test
    void shouldReportJobsPerSecondWhenRunsHaveOneOrFiftyItems() {
        // the page server runs in a JVM of its own, so that the test JVM's CPU is job-runner's and the harness's
        int port = Ports.free();
        ChildJvm pages = ChildJvm.start(
                "stub-scraper",
                List.of(),
                List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                StubPageServer.class.getName(),
                List.of(Integer.toString(port)),
                Path.of("target", "stub-scraper.log"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                pages.checkAlive();
                return Ports.isListening(port);
            });
            String url = "http://127.0.0.1:" + port + "/p";
            try (DueRunTraffic traffic = new DueRunTraffic(Infra.kafka().bootstrapServers(), HARNESS_CLIENT)) {
                measure(traffic, url, "warm-up", 2_000, 1);
                idle();
                var one = measure(traffic, url, "1 item per run", 10_000, 1);
                var fifty = measure(traffic, url, "50 items per run", 400, 50);
                System.out.printf(
                        Locale.ROOT, "BENCHMARK job-runner ratio 50-item/1-item throughput: %.2f%n", fifty / one);
                assertThat(one).isPositive();
            }
        } finally {
            pages.stop(5);
        }
    }

    /**
     * CPU every process uses with no traffic, per second: the broker's housekeeping and the service's idle
     * polling are counted in the per-job figures too, and weigh more the slower the machine lets a run go.
     */
    private static void idle() {
        Map<String, Long> before = ProcessCpu.snapshot();
        long start = System.nanoTime();
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Long> used = ProcessCpu.between(before, ProcessCpu.snapshot());
        Map<String, String> perSecond = new TreeMap<>();
        used.forEach((label, millis) -> perSecond.put(label, String.format(Locale.ROOT, "%.0f", millis / seconds)));
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK job-runner idle: CPU ms per second by process %s; load average %s%n",
                perSecond,
                ProcessCpu.loadAverage());
    }

    /**
     * CPU nanoseconds of the harness inside the test JVM: this thread (it sends the due runs and polls the
     * results) and the threads of the harness's Kafka clients.
     */
    private static long harnessCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = threads.getCurrentThreadCpuTime();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains(HARNESS_CLIENT)) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private double measure(DueRunTraffic traffic, String url, String label, int runs, int itemsPerRun) {
        List<DueRun> dueRuns = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            List<ObjectNode> items = new ArrayList<>();
            for (int i = 0; i < itemsPerRun; i++) {
                items.add(item("{\"source\": \"universal\", \"url\": \"" + url + "?r=" + r + "&i=" + i + "\"}"));
            }
            dueRuns.add(dueRun(NEXT_SCHEDULE.incrementAndGet(), "owner-" + (r % 100), 0, itemsPerRun, items));
        }
        int jobs = runs * itemsPerRun;
        List<byte[]> serialized = dueRuns.stream().map(EventJson::write).toList();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = traffic.count();
        Map<String, Long> cpuBefore = ProcessCpu.snapshot();
        long cpuStart = os.getProcessCpuTime();
        long harnessStart = harnessCpuNanos();
        long start = System.nanoTime();
        for (int r = 0; r < runs; r++) {
            traffic.sendAsync(dueRuns.get(r).scheduleId(), serialized.get(r));
        }
        long[] peakHeap = {0};
        // polled in this thread, so that the harness's CPU is this thread's and its clients'
        await().atMost(Duration.ofMinutes(10))
                .pollInSameThread()
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    traffic.pollCount();
                    MemoryUsage heap = memory.getHeapMemoryUsage();
                    peakHeap[0] = Math.max(peakHeap[0], heap.getUsed());
                    return traffic.count() - before >= jobs;
                });
        double seconds = (System.nanoTime() - start) / 1e9;
        double harnessMillis = (harnessCpuNanos() - harnessStart) / 1e6;
        double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
        Map<String, Long> cpu = new TreeMap<>(ProcessCpu.between(cpuBefore, ProcessCpu.snapshot()));
        // ProcessCpu names a child JVM it does not know by its command, "java": here that is the page server
        Long stub = cpu.remove("java");
        cpu.put("stub-scraper", stub == null ? 0 : stub);
        double rate = jobs / seconds;
        double jobRunnerMillis = cpuSeconds * 1000 - harnessMillis;
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK job-runner %s: %d jobs in %.2f s = %.0f jobs/s (goal 2000: ratio "
                        + "%.2f); test JVM CPU %.1f core-s (%.0f%% of %d cores, %.3f ms per job); peak heap used %d MiB; "
                        + "load average %s%n",
                label,
                jobs,
                seconds,
                rate,
                rate / 2000,
                cpuSeconds,
                100 * cpuSeconds / seconds / os.getAvailableProcessors(),
                os.getAvailableProcessors(),
                1000 * cpuSeconds / jobs,
                peakHeap[0] / (1024 * 1024),
                ProcessCpu.loadAverage());
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK job-runner %s: CPU ms per job by process %s (all: %.3f); test JVM "
                        + "split: job-runner %.3f, harness (due-run producer, result reader) %.3f; job-runner + broker %.3f%n",
                label,
                ProcessCpu.perOperation(cpu, jobs),
                cpu.get("total") / (double) jobs,
                jobRunnerMillis / jobs,
                harnessMillis / jobs,
                (jobRunnerMillis + cpu.getOrDefault("kafka", 0L)) / jobs);
        return rate;
    }
}
