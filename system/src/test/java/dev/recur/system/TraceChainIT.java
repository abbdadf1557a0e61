package dev.recur.system;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okForContentType;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.recur.common.time.ApiTime;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.trace.OtlpReceiver;
import dev.recur.testinfra.trace.OtlpReceiver.ReceivedSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tracing through the real processes: the four services export over OTLP to a stub receiver in this JVM
 * ({@link OtlpReceiver}), two schedules are created with a {@code traceparent} of the test's own, and once their
 * callbacks came the spans must form, for each schedule, the chain docs/operations.md ("Tracing") describes: the
 * create request's server span in the test's trace (schedule-api) ← linked from the run's {@code recur.due-runs
 * publish} root (ticker) ← linked from the job's {@code recur.job} root (job-runner), under which {@code scrape …}
 * (job-runner), {@code s3 PUT} and {@code callback POST} (delivery) hang. Each hop is asserted through the ids the
 * receiver got, so a service that drops the context its input carried breaks the chain; each trace holds only its
 * own service's spans and its own schedule's ids, so nothing of the other schedule mixes in.
 * <p>
 * A system of its own (the shared one runs with tracing off), run in a failsafe execution of its own (tag
 * {@code trace-chain}) so that it does not start beside the shared one.
 */
@Tag("e2e")
@Tag("trace-chain")
class TraceChainIT {

    private static final String BUCKET = "trace-chain-bucket";
    private static final String API = "recur-schedule-api";
    private static final String TICKER = "recur-ticker";
    private static final String JOB_RUNNER = "recur-job-runner";
    private static final String DELIVERY = "recur-delivery";
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Deque<AutoCloseable> STARTED = new ArrayDeque<>();
    private static OtlpReceiver receiver;
    private static WireMockServer outside;
    private static LocalRecur recur;
    private static RecurApi api;

    /** What the test knows of a schedule from outside: its id, the context it created it in, its callback. */
    private record Created(long scheduleId, String traceId, String clientSpanId, String hook) {}

    /** One schedule's spans, hop by hop. */
    private record Chain(
            Created schedule,
            ReceivedSpan request,
            ReceivedSpan run,
            ReceivedSpan job,
            List<ReceivedSpan> scrapes,
            ReceivedSpan s3,
            ReceivedSpan callback) {

        Set<String> traceIds() {
            return Set.of(request.traceId(), run.traceId(), job.traceId());
        }

        void print() {
            System.out.printf("[trace-chain] schedule %d:%n", schedule.scheduleId());
            List<ReceivedSpan> hops = new ArrayList<>(List.of(request, run, job));
            hops.addAll(scrapes);
            hops.addAll(List.of(s3, callback));
            hops.forEach(span -> System.out.println("[trace-chain]   " + span));
        }
    }

    @BeforeAll
    static void start() {
        receiver = OtlpReceiver.start();
        STARTED.push(receiver);
        outside = new WireMockServer(
                options().bindAddress(RecurSystem.OUTSIDE_ADDRESS).dynamicPort());
        outside.start();
        STARTED.push(outside::stop);
        outside.stubFor(get(urlPathEqualTo("/page")).willReturn(okForContentType("text/html", "<p>traced page</p>")));
        outside.stubFor(post(urlPathMatching("/hook-[ab]")).willReturn(ok()));

        // tracing on, exporting to the receiver; the page and the callbacks on the outside address, which the
        // outbound guard lets the fetcher and delivery reach
        Map<String, String> props = new LinkedHashMap<>(receiver.serviceProperties());
        String outsideNetwork = RecurSystem.OUTSIDE_ADDRESS + "/32";
        props.put("recur.job-runner.fetcher.allow", outsideNetwork);
        props.put("recur.delivery.callback.allowed-networks", outsideNetwork);
        Path data = Path.of("target/trace-chain-data").toAbsolutePath();
        Infra.deleteRecursively(data);
        long begin = System.nanoTime();
        recur = new LocalRecur(LocalRecur.Options.forTests(Repo.dir(), data, props));
        STARTED.push(recur);
        recur.start();
        System.out.printf(
                "[trace-chain] Recur with tracing on started in %.1f s; spans go to %s%n",
                (System.nanoTime() - begin) / 1e9, receiver.endpoint());
        recur.s3().createBucket(BUCKET);
        // the bootstrap administrator owns the schedules: no other user is needed in a system of its own
        api = new RecurApi(recur.apiBaseUrl(), RecurSystem.basic(LocalRecur.ADMIN_USER, recur.adminPassword()));
    }

    @AfterAll
    static void stop() throws Exception {
        // the reverse of the start: the services first, which send their last spans as they stop
        while (!STARTED.isEmpty()) {
            STARTED.pop().close();
        }
    }

    @Test
    void shouldCarryEachScheduleTraceContextFromItsCreateRequestToItsDeliverySpansThroughTheFourServices() {
        Created a = create("/hook-a", "a");
        Created b = create("/hook-b", "b");
        System.out.printf(
                "[trace-chain] schedules %d (trace %s) and %d (trace %s) created at %s%n",
                a.scheduleId(), a.traceId(), b.scheduleId(), b.traceId(), Instant.now());

        long jobA = awaitCallback(a);
        long jobB = awaitCallback(b);
        System.out.printf("[trace-chain] callbacks of jobs %d and %d received at %s%n", jobA, jobB, Instant.now());

        // the last spans (delivery's) leave their service in its next export batch
        AtomicReference<Chain> chainA = new AtomicReference<>();
        AtomicReference<Chain> chainB = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    List<ReceivedSpan> spans = receiver.spans();
                    chainA.set(chain(spans, a, jobA));
                    chainB.set(chain(spans, b, jobB));
                });
        chainA.get().print();
        chainB.get().print();

        List<ReceivedSpan> spans = receiver.spans();
        assertThat(chainA.get().traceIds())
                .as("the traces of the two schedules' chains")
                .doesNotContainAnyElementsOf(chainB.get().traceIds());
        assertAlone(spans, chainA.get(), b.scheduleId(), jobB);
        assertAlone(spans, chainB.get(), a.scheduleId(), jobA);
    }

    private static Created create(String hook, String prefix) {
        String traceId = hex(16);
        String clientSpanId = hex(8);
        String outsideUrl = "http://" + RecurSystem.OUTSIDE_ADDRESS + ":" + outside.port();
        String body = "{\"cron\":\"* * * * *\",\"items\":[{\"source\":\"universal\",\"url\":\"" + outsideUrl
                + "/page\",\"callback_url\":\"" + outsideUrl + hook
                + "\",\"storage_type\":\"s3\",\"storage_url\":\"s3://"
                + BUCKET + "/" + prefix + "\"}],\"end_time\":\""
                + ApiTime.format(Instant.now().plus(1, ChronoUnit.DAYS)) + "\"}";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", api.authorization());
        headers.put("Content-Type", "application/json");
        // the test's own context: the request's server span is its child, which names the request's trace
        headers.put("traceparent", "00-" + traceId + "-" + clientSpanId + "-01");
        RecurApi.Response created =
                api.raw("POST", "/v1/schedules", headers, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return new Created(created.json().path("schedule_id").asLong(), traceId, clientSpanId, hook);
    }

    /** The job id of the schedule's first callback, once it came (the schedule's first minute, then delivery). */
    private static long awaitCallback(Created schedule) {
        await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(outside.findAll(postRequestedFor(urlPathEqualTo(schedule.hook()))))
                        .as(() -> "no callback to " + schedule.hook() + " yet; " + received())
                        .isNotEmpty());
        LoggedRequest callback = outside.findAll(postRequestedFor(urlPathEqualTo(schedule.hook())))
                .get(0);
        return Long.parseLong(callback.getHeader("X-Recur-Job-Id"));
    }

    /**
     * The schedule's chain, each hop found through the ids the one before it gave: the job span by the job id of the
     * callback, the run span by the job span's link, the request's span by the run span's link.
     */
    private static Chain chain(List<ReceivedSpan> spans, Created schedule, long jobId) {
        String job = Long.toString(jobId);
        String scheduleId = Long.toString(schedule.scheduleId());

        List<ReceivedSpan> requests = spans.stream()
                .filter(s -> s.traceId().equals(schedule.traceId())
                        && s.parentSpanId().equals(schedule.clientSpanId()))
                .toList();
        assertThat(requests)
                .as(
                        "schedule-api's span of the create request, a child of the test's context, among %d spans",
                        spans.size())
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.service()).isEqualTo(API);
                    assertThat(s.kind()).isEqualTo("SERVER");
                    assertThat(s.name()).isEqualTo("POST /v1/schedules");
                });
        ReceivedSpan request = requests.get(0);

        ReceivedSpan jobSpan =
                one(spans, s -> "recur.job".equals(s.name()) && job.equals(s.attribute("recur.job_id")), "job " + job);
        assertThat(jobSpan.service()).isEqualTo(JOB_RUNNER);
        assertThat(jobSpan.isRoot())
                .as("the job span is the root of the job's trace")
                .isTrue();
        assertThat(jobSpan.attribute("recur.schedule_id")).isEqualTo(scheduleId);
        assertThat(jobSpan.links()).as("the job span's links (to its run)").hasSize(1);

        OtlpReceiver.Link toRun = jobSpan.links().get(0);
        ReceivedSpan run = one(
                spans,
                s -> s.traceId().equals(toRun.traceId()) && s.spanId().equals(toRun.spanId()),
                "the span the job links to, " + toRun);
        assertThat(run.service()).isEqualTo(TICKER);
        assertThat(run.name()).isEqualTo("recur.due-runs publish");
        assertThat(run.isRoot())
                .as("the run span is the root of the run's trace")
                .isTrue();
        assertThat(run.attribute("recur.schedule_id")).isEqualTo(scheduleId);
        assertThat(run.attribute("recur.run_id")).isEqualTo(jobSpan.attribute("recur.run_id"));
        assertThat(run.links())
                .as("the run span's links: to the request that made the schedule's revision")
                .containsExactly(new OtlpReceiver.Link(request.traceId(), request.spanId()));

        List<ReceivedSpan> scrapes = spans.stream()
                .filter(s -> s.traceId().equals(jobSpan.traceId())
                        && s.parentSpanId().equals(jobSpan.spanId())
                        && s.name().startsWith("scrape "))
                .toList();
        assertThat(scrapes)
                .as("the scraper calls under the job span")
                .isNotEmpty()
                .allSatisfy(s -> {
                    assertThat(s.service()).isEqualTo(JOB_RUNNER);
                    assertThat(s.kind()).isEqualTo("CLIENT");
                });
        ReceivedSpan s3 = delivered(spans, jobSpan, "s3 PUT", job);
        ReceivedSpan callback = delivered(spans, jobSpan, "callback POST", job);
        return new Chain(schedule, request, run, jobSpan, scrapes, s3, callback);
    }

    /** Delivery's span of the first attempt of one kind, a child of the job span, in the job's trace. */
    private static ReceivedSpan delivered(List<ReceivedSpan> spans, ReceivedSpan jobSpan, String name, String job) {
        ReceivedSpan span = one(
                spans, s -> name.equals(s.name()) && job.equals(s.attribute("recur.job_id")), name + " of job " + job);
        assertThat(span.service()).isEqualTo(DELIVERY);
        assertThat(span.kind()).isEqualTo("CLIENT");
        assertThat(span.traceId()).as("%s: in the job's trace", name).isEqualTo(jobSpan.traceId());
        assertThat(span.parentSpanId()).as("%s: under the job span", name).isEqualTo(jobSpan.spanId());
        return span;
    }

    /**
     * Each trace of the chain holds the spans of the services that take part in it and nothing of the other schedule:
     * the request's only schedule-api's, the run's only the ticker's, the job's only job-runner's and delivery's,
     * and none names the other schedule or its job.
     */
    private static void assertAlone(List<ReceivedSpan> spans, Chain chain, long otherSchedule, long otherJob) {
        Map<String, Set<String>> services = Map.of(
                chain.request().traceId(), Set.of(API),
                chain.run().traceId(), Set.of(TICKER),
                chain.job().traceId(), Set.of(JOB_RUNNER, DELIVERY));
        Set<String> seen = new LinkedHashSet<>();
        for (ReceivedSpan span : spans) {
            Set<String> allowed = services.get(span.traceId());
            if (allowed == null) {
                continue;
            }
            seen.add(span.service());
            assertThat(allowed).as("the service of %s", span).contains(span.service());
            assertThat(span.attributes())
                    .as("%s names the other schedule or its job", span)
                    .doesNotContainEntry("recur.schedule_id", Long.toString(otherSchedule))
                    .doesNotContainEntry("recur.job_id", Long.toString(otherJob));
            assertThat(span.links())
                    .as("%s links into the other schedule's chain", span)
                    .allSatisfy(l -> assertThat(services).containsKey(l.traceId()));
        }
        assertThat(seen)
                .as("the services in schedule %d's traces", chain.schedule().scheduleId())
                .containsExactlyInAnyOrder(API, TICKER, JOB_RUNNER, DELIVERY);
        List<String> runsOfSchedule = spans.stream()
                .filter(s -> "recur.due-runs publish".equals(s.name())
                        && Long.toString(chain.schedule().scheduleId()).equals(s.attribute("recur.schedule_id")))
                .flatMap(s -> s.links().stream())
                .map(OtlpReceiver.Link::traceId)
                .distinct()
                .toList();
        assertThat(runsOfSchedule)
                .as(
                        "the traces every run of schedule %d links to",
                        chain.schedule().scheduleId())
                .containsExactly(chain.request().traceId());
    }

    private static ReceivedSpan one(
            List<ReceivedSpan> spans, java.util.function.Predicate<ReceivedSpan> which, String what) {
        List<ReceivedSpan> found = spans.stream().filter(which).toList();
        assertThat(found)
                .as("%s among the %d spans received", what, spans.size())
                .hasSize(1);
        return found.get(0);
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** What the receiver has so far, by service and span name, and where the services' logs are. */
    private static String received() {
        Map<String, Long> counts = receiver.spans().stream()
                .collect(java.util.stream.Collectors.groupingBy(
                        s -> s.service() + " " + s.name(),
                        java.util.TreeMap::new,
                        java.util.stream.Collectors.counting()));
        return "spans received so far " + counts + "; the services' logs are in "
                + recur.service("delivery").log().getParent();
    }
}
