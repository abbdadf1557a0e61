package dev.recur.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.recur.common.time.ApiTime;
import dev.recur.system.ServiceProcess;
import dev.recur.testinfra.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Scenario 8 (memory per tenant): one tenant's run of 16 items, each a 50 MB page, against job-runner and delivery
 * with the heap a Kubernetes pod gives them (768 MiB limit, the image's 80 % MaxRAMPercentage: {@code -Xmx614m},
 * ParallelGC as the image runs it), while another tenant's run of small pages fires in the same minute. Both services
 * must stay ready throughout, the other tenant's jobs complete, and so do the big ones, their results readable through
 * {@code GET /v1/queries/{id}/results}. Prints the peak heap of each service (the most {@code jvm_memory_used_bytes}
 * of the heap showed, sampled every 250 ms, and the largest heap after a GC in its GC log). About 3 minutes: tagged
 * {@code fault}, run with {@code -Dreliability.excludedGroups=benchmark -Dgroups=fault -Dit.test=MemoryBudgetIT}.
 */
@Tag("fault")
class MemoryBudgetIT {

    private static final int BIG_PAGES = 16;
    private static final int PAGE_BYTES = Integer.getInteger("reliability.memory.page-bytes", 50_000_000);
    private static final int SMALL_PAGES = 4;
    private static final String HEAP = "-Xmx614m";
    private static final List<String> MEASURED = List.of("job-runner", "delivery", "schedule-api");
    private static final Pattern GC_AFTER = Pattern.compile("->(\\d+)M\\(");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static RecurUnderTest sut;
    private static HttpServer pages;
    private static final AtomicInteger pagesServed = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", Ports.free()), 64);
        pages.setExecutor(Executors.newFixedThreadPool(24));
        pages.createContext("/", exchange -> {
            boolean big = exchange.getRequestURI().getPath().startsWith("/big/");
            byte[] line = ("<p class=\"row\">\tRecur \"memory\" page \\ line</p>\n").getBytes(StandardCharsets.UTF_8);
            int size = big ? PAGE_BYTES : 2048;
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, size);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = line[i % line.length];
                }
                for (int left = size; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, Math.min(left, chunk.length));
                }
            } catch (IOException e) {
                // the fetcher gave up on this page (a timeout): it asks again
            }
            pagesServed.incrementAndGet();
        });
        pages.start();
        sut = RecurUnderTest.start(
                "memory",
                Map.of(
                        "recur.job-runner.fetcher.allow", "127.0.0.1/32",
                        "recur.job-runner.fetcher.timeout", "PT60S",
                        // the tenants' pages wait for heap rather than failing while the other pages stream
                        "recur.job-runner.retry.max-attempts", "10"));
        for (String service : List.of("job-runner", "delivery")) {
            ServiceProcess process = sut.recur().service(service);
            Path gcLog = process.log().resolveSibling(service + "-gc.log");
            process.stop();
            List<String> options = new ArrayList<>(ServiceProcess.LOCAL_JVM_OPTIONS.stream()
                    .filter(o -> !o.startsWith("-Xmx") && !o.startsWith("-XX:+Use"))
                    .toList());
            options.addAll(
                    List.of(HEAP, "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog));
            process.jvmOptions(options).start();
            process.awaitReady(Duration.ofMinutes(2));
        }
    }

    @AfterAll
    static void stop() {
        if (sut != null) {
            sut.close();
        }
        if (pages != null) {
            pages.stop(0);
        }
    }

    @Test
    void shouldStayReadyAndCompleteOtherTenantsJobsWhenOneTenantFetches16PagesOf50Megabytes() throws Exception {
        String other = "memory-other";
        String otherPassword = "memory-other-pass";
        sut.addUser(other, otherPassword);
        await().atMost(Duration.ofSeconds(70))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> Instant.now().atZone(ZoneOffset.UTC).getSecond() < 40);
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        String base = "http://127.0.0.1:" + pages.getAddress().getPort();
        long big = sut.createSchedule("* * * * *", items(base + "/big/", BIG_PAGES), ApiTime.format(minute));
        long small = createAs(other, otherPassword, items(base + "/small/", SMALL_PAGES), ApiTime.format(minute));

        Map<String, Long> peak = new ConcurrentHashMap<>();
        List<String> notReady = new ArrayList<>();
        Instant smallDone = null;
        Instant bigDone = null;
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        while ((smallDone == null || bigDone == null) && System.nanoTime() < deadline) {
            for (String service : MEASURED) {
                assertThat(sut.recur().service(service).isAlive())
                        .as(service + " is alive")
                        .isTrue();
                int ready = sut.readiness(service);
                if (ready != 200) {
                    notReady.add(service + " " + ready + " at " + Instant.now());
                }
                try {
                    long used = (long) sut.metric(service, "jvm_memory_used_bytes", "area=\"heap\"");
                    peak.merge(service, used, Math::max);
                } catch (IOException e) {
                    notReady.add(service + " /q/metrics unreachable at " + Instant.now() + ": " + e);
                }
            }
            if (smallDone == null && totalJobCount(other, otherPassword, small) == SMALL_PAGES) {
                smallDone = Instant.now();
            }
            if (bigDone == null && sut.totalJobCount(big) == BIG_PAGES) {
                bigDone = Instant.now();
            }
            Thread.sleep(250);
        }
        JsonNode bigStats = sut.get("/v1/schedules/" + big).path("stats");
        System.out.printf(
                Locale.ROOT,
                "[reliability] memory: %d pages of %d bytes served; other tenant's %d jobs done"
                        + " %s after the minute, the big run's %d %s after it; stats %s%n",
                pagesServed.get(),
                PAGE_BYTES,
                SMALL_PAGES,
                smallDone == null ? "never" : Duration.between(minute, smallDone),
                BIG_PAGES,
                bigDone == null ? "never" : Duration.between(minute, bigDone),
                bigStats);
        for (String service : MEASURED) {
            System.out.printf(
                    Locale.ROOT,
                    "[reliability] memory: %s peak heap used %.0f MiB (sampled), %s MiB at most" + " after a GC%n",
                    service,
                    peak.getOrDefault(service, 0L) / 1048576.0,
                    afterGc(service));
        }
        assertThat(notReady).as("readiness answers other than 200").isEmpty();
        assertThat(smallDone).as("the other tenant's jobs completed").isNotNull();
        assertThat(bigDone).as("the big run's jobs completed").isNotNull();
        assertThat(bigStats.toString()).contains("\"status\":\"done\"").doesNotContain("faulted");

        // one big page read back through the API: streamed, as large as it was fetched
        JsonNode run = sut.get("/v1/schedules/" + big + "/runs").path("runs").get(0);
        String jobId = run.path("jobs").get(0).path("id").asText();
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(sut.recur().apiBaseUrl() + "/v1/queries/" + jobId + "/results"))
                .header("Authorization", basic(RecurUnderTest.USER, RecurUnderTest.PASSWORD))
                .timeout(Duration.ofMinutes(2))
                .build();
        HttpResponse<InputStream> results = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long length;
        try (InputStream body = results.body()) {
            length = body.transferTo(OutputStream.nullOutputStream());
        }
        System.out.printf(
                Locale.ROOT,
                "[reliability] memory: GET /v1/queries/%s/results answered %d with %d bytes%n",
                jobId,
                results.statusCode(),
                length);
        assertThat(results.statusCode()).isEqualTo(200);
        assertThat(length).isGreaterThan(PAGE_BYTES);
    }

    private static String items(String urlPrefix, int count) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add("{\"source\":\"universal\",\"url\":\"" + urlPrefix + i + "\"}");
        }
        return "[" + String.join(",", items) + "]";
    }

    private static long createAs(String user, String password, String items, String endTime) throws Exception {
        String body = "{\"cron\":\"* * * * *\",\"items\":" + items + ",\"end_time\":\"" + endTime + "\"}";
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(sut.recur().apiBaseUrl() + "/v1/schedules"))
                        .header("Authorization", basic(user, password))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return RecurUnderTest.JSON.readTree(r.body()).path("schedule_id").asLong();
    }

    private static long totalJobCount(String user, String password, long scheduleId) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(sut.recur().apiBaseUrl() + "/v1/schedules/" + scheduleId))
                        .header("Authorization", basic(user, password))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return RecurUnderTest.JSON
                .readTree(r.body())
                .path("stats")
                .path("total_job_count")
                .asLong();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The largest heap after a GC in the service's GC log (the live set at its peak), in MiB; "-" without a log. */
    private static String afterGc(String service) throws IOException {
        Path log = sut.recur().service(service).log().resolveSibling(service + "-gc.log");
        if (!Files.exists(log)) {
            return "-";
        }
        long max = 0;
        for (String line : Files.readAllLines(log)) {
            Matcher m = GC_AFTER.matcher(line);
            if (m.find()) {
                max = Math.max(max, Long.parseLong(m.group(1)));
            }
        }
        return Long.toString(max);
    }
}
