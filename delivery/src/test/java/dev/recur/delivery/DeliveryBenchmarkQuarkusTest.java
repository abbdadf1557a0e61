package dev.recur.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.ProcessCpu;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Deliveries per second: each job is a results-store write, an S3 upload and a callback, through the
 * real broker, s3proxy and PostgreSQL, to a local receiver that answers 200 at once. Rounds: a cold one
 * (the first version's figure), warm-up rounds for {@code bench.warmup.seconds}, then the measured one of
 * {@code bench.jobs}; each prints the CPU per job of every process and of their JIT and GC threads.
 */
@Tag("benchmark")
@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class DeliveryBenchmarkQuarkusTest {

    private static final int SCHEDULES = 100;
    private static final CompilationMXBean COMPILATION = ManagementFactory.getCompilationMXBean();
    private static final ClassLoadingMXBean CLASS_LOADING = ManagementFactory.getClassLoadingMXBean();

    @Inject
    DataSource dataSource;

    @Inject
    S3Client s3;

    @Inject
    MeterRegistry registry;

    @Inject
    Vertx vertx;

    @Inject
    dev.recur.delivery.repository.JobRepository jobRepository;

    @Inject
    dev.recur.delivery.storage.ResultsStore resultsStore;

    @Test
    void shouldMeasureDeliveriesPerSecondWhenReceiverAnswersAtOnce() throws Exception {
        AtomicLong received = new AtomicLong();
        // one event loop (a server created outside a verticle gets one), keep-alive: the receiver's CPU per
        // callback counts in the test JVM's figure, so it should cost what an efficient receiver costs
        HttpServer receiver = vertx.createHttpServer(
                        new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(request -> request.body().onSuccess(body -> {
                    received.incrementAndGet();
                    request.response().setStatusCode(200).end();
                }))
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        // one producer for all rounds, as job-runner keeps one: a producer per round ran its start-up (metadata,
        // metric and JMX registration) inside each round and gave the JIT code that runs once per round to compile
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            String callback = "http://127.0.0.1:" + receiver.actualPort() + "/cb";
            measureRawS3Puts(1_000);
            run("warm-up", 1_000, callback, received, producer);
            int jobs = Integer.getInteger("bench.jobs", 10_000);
            // the figure of the benchmark's first version: 5,000 jobs right after 1,000, while the JIT still compiles
            run("early", 5_000, callback, received, producer);
            // steady state: the services run for days, so the figure is taken once the compiler threads of every
            // JVM involved are nearly idle (each round prints their CPU; the measured round prints it too). The
            // warm-up lasts bench.warmup.seconds and at least bench.warmup.jobs jobs in all: delivery's per-batch
            // methods (consumer, job log, outbox) get their C2 compilation after 115-190 batches of ~400 jobs, about
            // where 120 s alone (51,000-66,000 jobs) would end; after 100,000 jobs the test JVM's compiler threads use
            // 0.03-0.08 ms per job in the measured round, against 0.10-0.31 after 120 s alone
            // (docs/history/performance-delivery.md)
            long warmUntil = System.nanoTime()
                    + Duration.ofSeconds(Long.getLong("bench.warmup.seconds", 120))
                            .toNanos();
            long warmJobs = Long.getLong("bench.warmup.jobs", 100_000);
            long sent = 6_000;
            for (int round = 1; System.nanoTime() < warmUntil || sent < warmJobs; round++) {
                int size = Integer.getInteger("bench.warmup.round", 5_000);
                run("warm-up " + round, size, callback, received, producer);
                sent += size;
            }
            System.out.printf("BENCHMARK delivery: %d jobs before the measured round%n", sent);
            run("measured", jobs, callback, received, producer);
            // the client's and the server's CPU per PUT once both are warm (the first figure is a cold JVM's)
            measureRawS3Puts(Integer.getInteger("bench.raw.puts", 5_000));
        } finally {
            receiver.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private void run(
            String label, int jobs, String callback, AtomicLong received, KafkaProducer<String, byte[]> producer)
            throws Exception {
        String prefix = "bench/" + UUID.randomUUID();
        Payloads payloads = payloads(jobs, callback, prefix);
        long before = received.get();
        Map<String, Long> cpuBefore = ProcessCpu.snapshot();
        Map<String, Long> jitBefore = JitCpu.snapshot();
        long compilingBefore = COMPILATION.getTotalCompilationTime();
        long classesBefore = CLASS_LOADING.getTotalLoadedClassCount();
        // wall-clock bounds of the round, to cut a JFR recording to it
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        publish(payloads, producer);
        long published = System.nanoTime();
        await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    assertThat(received.get() - before).isGreaterThanOrEqualTo(jobs);
                    assertThat(pendingDeliveries()).isZero();
                });
        long done = System.nanoTime();
        Map<String, Long> cpu = ProcessCpu.between(cpuBefore, ProcessCpu.snapshot());
        Map<String, Long> jit = JitCpu.between(jitBefore, JitCpu.snapshot());
        int uploaded = s3.listObjectsV2Paginator(b -> b.bucket("user-bucket").prefix(prefix)).contents().stream()
                .mapToInt(o -> 1)
                .sum();
        double seconds = (done - t0) / 1e9;
        System.out.printf(
                "BENCHMARK delivery %s: %d jobs (results store + S3 upload + callback each), publish %.2f s,"
                        + " end-to-end %.2f s -> %.0f jobs/s (%.0f deliveries/s counting S3 and callback separately);"
                        + " callbacks received %d, S3 objects %d; goal 2000 deliveries/s -> ratio %.2f (%.2f if a job's"
                        + " three writes count as one delivery)%n",
                label,
                jobs,
                (published - t0) / 1e9,
                seconds,
                jobs / seconds,
                2 * jobs / seconds,
                received.get() - before,
                uploaded,
                2 * jobs / seconds / 2000,
                jobs / seconds / 2000);
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK delivery %s: CPU ms per job by process %s; load average %s;" + " round %s to %s%n",
                label,
                ProcessCpu.perOperation(cpu, jobs),
                ProcessCpu.loadAverage(),
                started,
                started.plusNanos(done - t0));
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK delivery %s: of which JIT compiler and GC threads," + " CPU ms per job %s%n",
                label,
                ProcessCpu.perOperation(jit, jobs));
        // whether the test JVM still compiles, or loads classes (generated ones included), while the round runs
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK delivery %s: test JVM during the round: compilers busy %d ms"
                        + " (CompilationMXBean, wall-clock), classes loaded %d%n",
                label,
                COMPILATION.getTotalCompilationTime() - compilingBefore,
                CLASS_LOADING.getTotalLoadedClassCount() - classesBefore);
        for (Timer t : registry.find("recur.delivery.batch.phase").timers()) {
            System.out.printf(
                    "BENCHMARK delivery %s: phase %s: %d batches, mean %.1f ms, max %.1f ms%n",
                    label,
                    t.getId().getTag("phase"),
                    t.count(),
                    t.mean(TimeUnit.MILLISECONDS),
                    t.max(TimeUnit.MILLISECONDS));
        }
        double objects = counted("recur.delivery.results.objects");
        double documents = counted("recur.delivery.results.documents");
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK delivery %s: results store since start: %.0f documents in %.0f"
                        + " objects (%.1f per object; recur.results.pack.document-max-bytes decides)%n",
                label,
                documents,
                objects,
                objects == 0 ? 0 : documents / objects);
        var size = registry.find("recur.delivery.batch.jobs").summary();
        if (size != null) {
            System.out.printf("BENCHMARK delivery %s: batches %d, mean %.1f jobs%n", label, size.count(), size.mean());
        }
        var latency = registry.find("recur.delivery.callback.latency")
                .tag("outcome", "success")
                .timer();
        if (latency != null) {
            System.out.printf(
                    "BENCHMARK delivery %s: callback latency mean %.1f ms, max %.1f ms%n",
                    label, latency.mean(TimeUnit.MILLISECONDS), latency.max(TimeUnit.MILLISECONDS));
        }
        assertThat(uploaded).isEqualTo(jobs);
        assertResultsReadable(payloads);
    }

    /** The results of the round's first and last job, read back through the job log's ref, are their documents. */
    private void assertResultsReadable(Payloads payloads) throws Exception {
        for (byte[] value : List.of(
                payloads.values().get(0),
                payloads.values().get(payloads.values().size() - 1))) {
            JobResult sent = EventJson.mapper().readValue(value, JobResult.class);
            var stored = jobRepository.load(List.of(sent.jobId())).get(0);
            byte[] document = resultsStore.load(stored.resultsKey(), stored.resultsOffset(), stored.resultsSize());
            assertThat(EventJson.mapper().readTree(document).get("results"))
                    .isEqualTo(EventJson.mapper().valueToTree(sent.results()));
        }
    }

    private record Payloads(List<String> keys, List<byte[]> values) {}

    /*
     * Building and publishing a round's records are methods of their own, not loops inside run(): the JIT then
     * compiles them as small units during the warm-up, instead of compiling run() whole at C2 (70 KB of code, 0.8 s)
     * when the longer measured round first runs its loops, which would charge the benchmark's own compilation to the
     * measured round (docs/history/performance-delivery.md).
     */
    private static Payloads payloads(int jobs, String callback, String prefix) {
        List<byte[]> values = new ArrayList<>(jobs);
        List<String> keys = new ArrayList<>(jobs);
        long firstSchedule = Fixtures.newScheduleId() / 2;
        for (int i = 0; i < jobs; i++) {
            long scheduleId = firstSchedule + i % SCHEDULES;
            JobResult r = Fixtures.result(
                    scheduleId,
                    i,
                    Fixtures.item()
                            .put("callback_url", callback)
                            .put("storage_type", "s3")
                            .put("storage_url", "s3://user-bucket/" + prefix),
                    200,
                    JobStatus.DONE);
            values.add(EventJson.write(r));
            keys.add(Topics.key(scheduleId));
        }
        return new Payloads(keys, values);
    }

    private static void publish(Payloads payloads, KafkaProducer<String, byte[]> producer) {
        for (int i = 0; i < payloads.keys().size(); i++) {
            producer.send(new ProducerRecord<>(
                    Topics.JOB_RESULTS,
                    payloads.keys().get(i),
                    payloads.values().get(i)));
        }
        producer.flush();
    }

    /**
     * The ceiling the S3 server sets: every job costs its upload to the user's bucket and its share of a
     * results-store object (a whole PUT when documents are stored alone).
     */
    private void measureRawS3Puts(int puts) throws Exception {
        Map<String, Long> jitBefore = JitCpu.snapshot();
        var pool = Executors.newFixedThreadPool(32);
        byte[] body = EventJson.write(Fixtures.pages("<html>raw</html>"));
        String prefix = "raw/" + UUID.randomUUID() + "/";
        Map<String, Long> cpuBefore = ProcessCpu.snapshot();
        long t0 = System.nanoTime();
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int i = 0; i < puts; i++) {
            String key = prefix + i + ".json";
            done.add(pool.submit(() -> s3.putObject(
                    b -> b.bucket("user-bucket").key(key),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(body))));
        }
        for (var f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Long> cpu = ProcessCpu.between(cpuBefore, ProcessCpu.snapshot());
        pool.shutdown();
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK delivery raw S3: CPU ms per PUT by process %s; load average %s%n",
                ProcessCpu.perOperation(cpu, puts),
                ProcessCpu.loadAverage());
        System.out.printf(
                Locale.ROOT,
                "BENCHMARK delivery raw S3: of which JIT compiler and GC threads, CPU ms per PUT" + " %s%n",
                ProcessCpu.perOperation(JitCpu.between(jitBefore, JitCpu.snapshot()), puts));
        double documents = counted("recur.delivery.results.documents");
        double objects = counted("recur.delivery.results.objects");
        // a job's PUTs: its upload, and its share of a results-store object (one per job without packs)
        double putsPerJob = 1 + (documents == 0 ? 1 : objects / documents);
        System.out.printf(
                "BENCHMARK delivery raw S3: %d PUTs on 32 threads in %.2f s -> %.0f PUT/s"
                        + " (ceiling %.0f jobs/s at %.3f PUTs per job, %.0f at 2)%n",
                puts, seconds, puts / seconds, puts / seconds / putsPerJob, putsPerJob, puts / seconds / 2);
    }

    /** A counter's total over all its tags since the service started. */
    private double counted(String counter) {
        return registry.find(counter).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    private long pendingDeliveries() throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM delivery");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }
}
