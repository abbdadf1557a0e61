package dev.recur.jobrunner;

import static dev.recur.jobrunner.DueRunTraffic.dueRun;
import static dev.recur.jobrunner.DueRunTraffic.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.recur.common.event.DueRun;
import dev.recur.common.json.EventJson;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.ProcessCpu;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Jobs per second through job-runner on the real broker, with an instant local page server behind the
 * built-in fetcher, for runs of 1 and of 50 items. Not in CI: {@code -Drecur.excludedGroups=none -Dgroups=benchmark}.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(JobRunnerBenchmarkQuarkusTest.Throughput.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = S3TestResource.class, initArgs = @ResourceArg(name = "buckets", value = "recur-results"))
@QuarkusTestResource(ScraperWireMockResource.class)
class JobRunnerBenchmarkQuarkusTest {

    /** Production defaults for the limits the test profile lowers. */
    public static class Throughput implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("recur.job-runner.max-in-flight", "64",
                    "recur.job-runner.max-in-flight-per-owner", "16",
                    "quarkus.log.category.\"org.apache.kafka\".level", "WARN");
        }
    }

    private static final AtomicLong NEXT_SCHEDULE = new AtomicLong(System.nanoTime() & 0xffffffL);

    @Test
    void shouldReportJobsPerSecondWhenRunsHaveOneOrFiftyItems() throws Exception {
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        byte[] page = "<html><body>benchmark page</body></html>".getBytes(StandardCharsets.UTF_8);
        pages.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        pages.setExecutor(Executors.newFixedThreadPool(8));
        pages.start();
        String url = "http://127.0.0.1:" + pages.getAddress().getPort() + "/p";
        try (DueRunTraffic traffic = new DueRunTraffic(Infra.kafka().bootstrapServers())) {
            measure(traffic, url, "warm-up", 2_000, 1);
            var one = measure(traffic, url, "1 item per run", 10_000, 1);
            var fifty = measure(traffic, url, "50 items per run", 400, 50);
            System.out.printf(Locale.ROOT, "BENCHMARK job-runner ratio 50-item/1-item throughput: %.2f%n",
                    fifty / one);
            assertThat(one).isPositive();
        } finally {
            pages.stop(0);
        }
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
        long start = System.nanoTime();
        for (int r = 0; r < runs; r++) {
            traffic.sendAsync(dueRuns.get(r).scheduleId(), serialized.get(r));
        }
        long[] peakHeap = {0};
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            traffic.pollCount();
            MemoryUsage heap = memory.getHeapMemoryUsage();
            peakHeap[0] = Math.max(peakHeap[0], heap.getUsed());
            return traffic.count() - before >= jobs;
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
        Map<String, Long> cpu = ProcessCpu.between(cpuBefore, ProcessCpu.snapshot());
        double rate = jobs / seconds;
        System.out.printf(Locale.ROOT, "BENCHMARK job-runner %s: %d jobs in %.2f s = %.0f jobs/s (goal 2000: ratio "
                + "%.2f); test JVM CPU %.1f core-s (%.0f%% of %d cores, %.3f ms per job); peak heap used %d MiB; "
                + "load average %s%n", label, jobs, seconds, rate, rate / 2000, cpuSeconds,
                100 * cpuSeconds / seconds / os.getAvailableProcessors(), os.getAvailableProcessors(),
                1000 * cpuSeconds / jobs, peakHeap[0] / (1024 * 1024), ProcessCpu.loadAverage());
        System.out.printf(Locale.ROOT, "BENCHMARK job-runner %s: CPU ms per job by process %s (all: %.3f)%n", label,
                ProcessCpu.perOperation(cpu, jobs), cpu.get("total") / (double) jobs);
        return rate;
    }
}
