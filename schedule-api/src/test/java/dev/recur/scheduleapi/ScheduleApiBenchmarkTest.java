package dev.recur.scheduleapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.recur.testinfra.Infra;
import dev.recur.testinfra.PostgresServer;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.PostgresTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Load on the API over HTTP with many connections against the real Postgres, and pgbench's single-row
 * insert rate on the same Postgres as the baseline. Never in CI; run with
 * {@code -Drecur.excludedGroups=none -Dgroups=benchmark -Dtest=ScheduleApiBenchmarkTest}.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(BenchmarkProfile.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = PostgresTestResource.class, initArgs = @ResourceArg(name = "database", value = "recur_api"))
@QuarkusTestResource(value = S3TestResource.class, initArgs = @ResourceArg(name = "buckets", value = "recur-results"))
class ScheduleApiBenchmarkTest {

    static final int CONNECTIONS = Integer.getInteger("bench.connections", 32);
    static final int USERS = 16;
    static final Duration WARM_UP = Duration.ofSeconds(Integer.getInteger("bench.warmup-seconds", 5));
    static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 15));
    static final String CREATE_BODY = """
            {"cron": "0 16 * * *", "end_time": "2032-12-01 16:00:00",
             "items": [{"source": "amazon_product", "query": "B098FKXT8L", "parse": true,
                        "callback_url": "https://example.com/hook"}]}""";
    private static final Pattern ID = Pattern.compile("\"schedule_id_str\":\"(\\d+)\"");

    record Result(String name, int connections, long requests, long errors, double seconds, long p50Micros, long p99Micros) {
        double perSecond() {
            return requests / seconds;
        }

        @Override
        public String toString() {
            return String.format("%-28s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  (%d requests, %d errors, %.1f s, %d connections)",
                    name, perSecond(), p50Micros / 1000.0, p99Micros / 1000.0, requests, errors, seconds, connections);
        }
    }

    @Test
    void shouldMeasureCreatesAndReadsAgainstPgbenchBaseline() throws Exception {
        String base = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        List<String> authHeaders = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String user = Api.newUser();
            authHeaders.add("Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + Api.password(user)).getBytes(StandardCharsets.UTF_8)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4))
                .connectTimeout(Duration.ofSeconds(10)).build();
        ConcurrentLinkedQueue<String[]> created = new ConcurrentLinkedQueue<>();

        run("warm-up creates", pool, WARM_UP, worker -> create(client, base, authHeaders.get(worker % USERS), created));
        Result creates = run("POST /v1/schedules", pool, MEASURE,
                worker -> create(client, base, authHeaders.get(worker % USERS), created));
        String[][] ids = created.toArray(new String[0][]);
        Request get = worker -> {
            String[] pick = ids[ThreadLocalRandom.current().nextInt(ids.length)];
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/schedules/" + pick[1]))
                    .header("Authorization", pick[0]).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        };
        run("warm-up reads", pool, WARM_UP, get);
        Result reads = run("GET /v1/schedules/{id}", pool, MEASURE, get);
        // one connection: the latency of a request that waits for nothing but itself
        Result sequentialReads = run("GET, one connection", pool, 1, Duration.ofSeconds(5), get);
        Result sequentialCreates = run("POST, one connection", pool, 1, Duration.ofSeconds(5),
                worker -> create(client, base, authHeaders.get(0), created));
        pool.shutdownNow();

        Baseline baseline = pgbenchInserts();
        System.out.println("=== schedule-api benchmark ===");
        System.out.println(creates);
        System.out.println(reads);
        System.out.println(sequentialReads);
        System.out.println(sequentialCreates);
        System.out.printf("baseline (%s): %.0f single-row inserts/s with %d connections%n", baseline.method(), baseline.perSecond(), CONNECTIONS);
        System.out.printf("creates / baseline = %.2f%n", creates.perSecond() / baseline.perSecond());
        System.out.printf("machine: %d cores, load average before measuring shown by `uptime` in the run log%n",
                Runtime.getRuntime().availableProcessors());
        assertThat(creates.requests()).isPositive();
        assertThat(reads.requests()).isPositive();
    }

    interface Request {
        boolean send(int worker) throws Exception;
    }

    private static boolean create(HttpClient client, String base, String auth, ConcurrentLinkedQueue<String[]> created)
            throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/schedules"))
                .header("Authorization", auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CREATE_BODY)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            return false;
        }
        Matcher id = ID.matcher(response.body());
        if (id.find()) {
            created.add(new String[] {auth, id.group(1)});
        }
        return true;
    }

    private static Result run(String name, ExecutorService pool, Duration duration, Request request) throws Exception {
        return run(name, pool, CONNECTIONS, duration, request);
    }

    private static Result run(String name, ExecutorService pool, int connections, Duration duration, Request request)
            throws Exception {
        AtomicLong errors = new AtomicLong();
        long deadline = System.nanoTime() + duration.toNanos();
        List<Future<long[]>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < connections; w++) {
            int worker = w;
            futures.add(pool.submit(() -> {
                long[] latencies = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    boolean ok;
                    try {
                        ok = request.send(worker);
                    } catch (IOException e) {
                        ok = false;
                    }
                    long micros = (System.nanoTime() - t0) / 1000;
                    if (!ok) {
                        errors.incrementAndGet();
                    }
                    if (n == latencies.length) {
                        latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = micros;
                }
                return Arrays.copyOf(latencies, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : futures) {
            all.add(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(name, connections, merged.length, errors.get(), seconds, percentile(merged, 0.50), percentile(merged, 0.99));
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    record Baseline(String method, double perSecond) {
    }

    /** pgbench with a single-row INSERT script, same connection count, same server; a JDBC loop if pgbench is missing. */
    private static Baseline pgbenchInserts() throws Exception {
        PostgresServer postgres = Infra.postgres();
        String database = "recur_api";
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(database), postgres.username(), postgres.password());
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_baseline");
            s.execute("CREATE TABLE bench_baseline (id bigint PRIMARY KEY, owner text NOT NULL, payload jsonb NOT NULL,"
                    + " created_at timestamptz NOT NULL)");
        }
        Path script = Files.createTempFile("pgbench-insert", ".sql");
        Files.writeString(script, "\\set id random(1, 9000000000000000000)\n"
                + "INSERT INTO bench_baseline VALUES (:id, 'bench', '{\"source\": \"amazon_product\"}', now());\n");
        try {
            ProcessBuilder pb = new ProcessBuilder("pgbench", "-n", "-M", "prepared", "-c", Integer.toString(CONNECTIONS),
                    "-j", "2", "-T", Long.toString(MEASURE.toSeconds()), "-f", script.toString(),
                    "-h", postgres.host(), "-p", Integer.toString(postgres.port()), "-U", postgres.username(), database)
                    .redirectErrorStream(true);
            pb.environment().put("PGPASSWORD", postgres.password());
            Process process = pb.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(MEASURE.toSeconds() + 60, TimeUnit.SECONDS);
            System.out.println(output);
            Matcher tps = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)").matcher(output);
            if (tps.find()) {
                return new Baseline("pgbench -M prepared single-row INSERT", Double.parseDouble(tps.group(1)));
            }
        } catch (IOException e) {
            System.out.println("pgbench not available (" + e.getMessage() + "); measuring a JDBC insert loop instead");
        }
        return jdbcInserts(postgres, database);
    }

    private static Baseline jdbcInserts(PostgresServer postgres, String database) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        long deadline = System.nanoTime() + MEASURE.toNanos();
        AtomicLong count = new AtomicLong();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            futures.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(database), postgres.username(), postgres.password());
                        PreparedStatement insert = c.prepareStatement(
                                "INSERT INTO bench_baseline VALUES (?, 'bench', '{\"source\": \"amazon_product\"}'::jsonb, now())")) {
                    while (System.nanoTime() < deadline) {
                        insert.setLong(1, ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
                        insert.executeUpdate();
                        count.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdownNow();
        return new Baseline("JDBC single-row INSERT loop", count.get() / ((System.nanoTime() - start) / 1e9));
    }
}
