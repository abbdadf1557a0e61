package dev.recur.scheduleapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.recur.testinfra.Infra;
import dev.recur.testinfra.PostgresServer;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Load on the API over HTTP with many connections (the Java {@link LoadGenerator}, then {@link Wrk}) against the
 * real Postgres, and pgbench's single-row insert rate on the same Postgres as the baseline. Never in CI; run with
 * {@code -Drecur.excludedGroups=none -Dgroups=benchmark -Dtest=ScheduleApiBenchmarkTest}.
 */
@Tag("benchmark")
@QuarkusTest
@TestProfile(BenchmarkProfile.class)
@QuarkusTestResource(ScheduleApiTestResources.class)
class ScheduleApiBenchmarkTest {

    static final int CONNECTIONS = Integer.getInteger("bench.connections", 32);
    // a create phase driven by wrk for each of these connection counts, and a pgbench run for each of these client
    // counts: the ratio is given for equal counts and against pgbench's best. Both sweeps find their best rate on
    // 2 cores (pgbench's between 8 and 64 clients, depending on fsync; the service's at the most connections, as
    // group commit makes larger batches of them)
    static final List<Integer> WRK_CONNECTIONS = counts("bench.wrk-connections", "32,64,128");
    static final List<Integer> PGBENCH_CLIENTS = counts("bench.pgbench-clients", "8,16,32,64,128");
    static final int USERS = 16;
    // a warm-up ends after this many requests or WARM_UP, whichever comes first: enough for the JIT to have
    // compiled the paths, so that the measured CPU per request is not the compiler's. At 5,000+ requests/s a count
    // of 20,000 would end a warm-up within seconds, with the JIT still busy: the duration bounds it, the count is a cap
    static final int WARM_UP_REQUESTS = Integer.getInteger("bench.warmup-requests", 10_000_000);
    static final Duration WARM_UP = Duration.ofSeconds(Integer.getInteger("bench.warmup-seconds", 60));
    static final Duration MEASURE = Duration.ofSeconds(Integer.getInteger("bench.seconds", 15));
    // while working on reads: a shorter create warm-up (it only has to leave schedules to read; 20 s leave ~100,000)
    // and no create phases or pgbench, so that a locked run stays within a few minutes
    static final Duration CREATE_WARM_UP =
            Duration.ofSeconds(Integer.getInteger("bench.create-warmup-seconds", (int) WARM_UP.toSeconds()));
    static final boolean READS_ONLY = Boolean.getBoolean("bench.reads-only");
    // while working on creates: no read phases (their warm-up alone is as long as the create warm-up)
    static final boolean CREATES_ONLY = Boolean.getBoolean("bench.creates-only");
    static final String CREATE_BODY = """
            {"cron": "0 16 * * *", "end_time": "2032-12-01 16:00:00",
             "items": [{"source": "amazon_product", "query": "B098FKXT8L", "parse": true,
                        "callback_url": "https://example.com/hook"}]}""";
    private static final Pattern ID = Pattern.compile("\"schedule_id_str\":\"(\\d+)\"");

    @Inject
    MeterRegistry registry;

    @Test
    void shouldMeasureCreatesAndReadsAgainstPgbenchBaseline() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        List<String> authHeaders = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String user = Api.newUser();
            authHeaders.add("Basic "
                    + Base64.getEncoder()
                            .encodeToString((user + ":" + Api.password(user)).getBytes(StandardCharsets.UTF_8)));
        }
        List<String[]> created = new ArrayList<>();
        List<String> report = new ArrayList<>();
        try (LoadGenerator generator = new LoadGenerator(port, CONNECTIONS)) {
            CpuMeter meter = new CpuMeter(Infra.postgres().port(), generator::cpuNanos);
            LoadGenerator.Request create = (client, loop) -> create(client, authHeaders.get(loop % USERS), created);
            LoadGenerator.Request get = (client, loop) -> {
                String[] pick = created.get(ThreadLocalRandom.current().nextInt(created.size()));
                return client.request(HttpMethod.GET, "/v1/schedules/" + pick[1])
                        .compose(request ->
                                request.putHeader("Authorization", pick[0]).send())
                        .compose(response -> response.body().map(body -> response.statusCode() == 200));
            };
            report.add(durability());
            report.add(idle("idle after start-up", meter, Duration.ofSeconds(5)));
            generator.run("warm-up creates", CONNECTIONS, CREATE_WARM_UP, WARM_UP_REQUESTS, create);
            GroupCommit commitsBefore = groupCommit();
            boolean statementStats = resetStatementStats();
            long walBefore = walBytes();
            Phase creates =
                    READS_ONLY ? null : measure(generator, meter, "POST /v1/schedules", CONNECTIONS, MEASURE, create);
            if (creates != null) {
                report.add(String.format(
                        "%s%n  %s%n  WAL written: %.0f bytes per create (all writers, the relay's included)",
                        creates.text(),
                        groupCommit().since(commitsBefore),
                        (double) (walBytes() - walBefore) / creates.result().requests()));
                if (statementStats) {
                    report.add(statementStats(creates.result().requests()));
                }
            }
            Optional<Wrk> wrk = Wrk.find();
            List<Phase> wrkCreates = new ArrayList<>();
            if (creates != null && wrk.isPresent()) {
                List<Wrk.Request> posts = authHeaders.stream()
                        .map(auth -> new Wrk.Request("POST", "/v1/schedules", auth, CREATE_BODY))
                        .toList();
                for (int connections : WRK_CONNECTIONS) {
                    commitsBefore = groupCommit();
                    Phase phase = measure(wrk.get(), port, meter, "POST /v1/schedules (wrk)", connections, posts);
                    wrkCreates.add(phase);
                    report.add(String.format(
                            "%s%n  %s", phase.text(), groupCommit().since(commitsBefore)));
                }
            }
            if (!CREATES_ONLY) {
                generator.run("warm-up reads", CONNECTIONS, WARM_UP, WARM_UP_REQUESTS, get);
                report.add(measure(generator, meter, "GET /v1/schedules/{id}", CONNECTIONS, MEASURE, get)
                        .text());
            }
            if (wrk.isPresent() && !CREATES_ONLY) {
                List<Wrk.Request> gets = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    String[] pick = created.get(ThreadLocalRandom.current().nextInt(created.size()));
                    gets.add(new Wrk.Request("GET", "/v1/schedules/" + pick[1], pick[0], null));
                }
                report.add(measure(wrk.get(), port, meter, "GET /v1/schedules/{id} (wrk)", CONNECTIONS, gets)
                        .text());
            }
            // one connection: the latency of a request that waits for nothing but itself
            if (!CREATES_ONLY) {
                report.add(measure(generator, meter, "GET, one connection", 1, Duration.ofSeconds(5), get)
                        .text());
            }
            if (!READS_ONLY) {
                report.add(measure(
                                generator,
                                meter,
                                "POST, one connection",
                                1,
                                Duration.ofSeconds(5),
                                (client, loop) -> create(client, authHeaders.get(0), created))
                        .text());
            }
            // again once warm: right after start-up the JIT compiler still works in the background
            report.add(idle("idle after the phases", meter, Duration.ofSeconds(5)));
            if (creates != null) {
                Map<Integer, Baseline> baselines = new TreeMap<>();
                for (int clients : PGBENCH_CLIENTS) {
                    Baseline baseline = pgbenchInserts(meter, clients);
                    baselines.put(clients, baseline);
                    report.add(String.format(
                            "baseline (%s): %.0f single-row inserts/s with %d connections; postgres"
                                    + " CPU per insert %.3f ms%n  %s",
                            baseline.method(),
                            baseline.perSecond(),
                            clients,
                            baseline.postgresCpuMsPerInsert(),
                            uptime()));
                }
                Map.Entry<Integer, Baseline> best = baselines.entrySet().stream()
                        .max(Comparator.comparingDouble(e -> e.getValue().perSecond()))
                        .orElseThrow();
                List<Phase> phases = new ArrayList<>(List.of(creates));
                phases.addAll(wrkCreates);
                for (Phase phase : phases) {
                    LoadGenerator.Result r = phase.result();
                    Baseline same = baselines.get(r.connections());
                    report.add(String.format(
                            "creates / baseline = %.2f against pgbench's best (%d connections)%s: %s,"
                                    + " %d connections",
                            r.perSecond() / best.getValue().perSecond(),
                            best.getKey(),
                            same == null
                                    ? ""
                                    : String.format(
                                            ", %.2f against pgbench with as many connections",
                                            r.perSecond() / same.perSecond()),
                            r.name().strip(),
                            r.connections()));
                }
            }
        }
        System.out.println("=== schedule-api benchmark (" + Runtime.getRuntime().availableProcessors() + " cores) ===");
        report.forEach(System.out::println);
        assertThat(created).isNotEmpty();
    }

    record Phase(LoadGenerator.Result result, String text) {

        /** The phase's figures, its CPU per request, and the machine's load before ({@code before}) and after. */
        static Phase of(LoadGenerator.Result result, CpuMeter.Usage usage, String before) {
            return new Phase(
                    result,
                    String.format(
                            "%s%n  %s%n  before: %s%n  after:  %s",
                            result, usage.perRequest(result.requests()), before, uptime()));
        }
    }

    private static List<Integer> counts(String property, String defaults) {
        String value = System.getProperty(property, defaults);
        return Arrays.stream(value.split(","))
                .map(String::strip)
                .map(Integer::valueOf)
                .toList();
    }

    /** The create statements so far: how many, how many creates they wrote, their summed round trips. */
    record GroupCommit(long statements, double creates, double seconds) {

        String since(GroupCommit before) {
            long n = statements - before.statements;
            return n == 0
                    ? "create statements: none"
                    : String.format(
                            "create statements: %d, %.1f creates per statement, round trip %.2f ms on average (commit included)",
                            n, (creates - before.creates) / n, (seconds - before.seconds) * 1000 / n);
        }
    }

    private GroupCommit groupCommit() {
        DistributionSummary creates =
                registry.get("recur.schedule-api.create.statement.creates").summary();
        Timer time =
                registry.get("recur.schedule-api.create.statement.duration").timer();
        return new GroupCommit(creates.count(), creates.totalAmount(), time.totalTime(TimeUnit.SECONDS));
    }

    /** One measured phase: rate, latency, CPU per request of every process involved, and the machine's load. */
    private static Phase measure(
            LoadGenerator generator,
            CpuMeter meter,
            String name,
            int connections,
            Duration duration,
            LoadGenerator.Request request)
            throws Exception {
        String before = uptime();
        CpuMeter.Sample start = meter.sample();
        LoadGenerator.Result result = generator.run(name, connections, duration, request);
        return Phase.of(result, CpuMeter.between(start, meter.sample()), before);
    }

    /** A phase driven by wrk: its CPU (a child process that has ended) is reported as the load generator's. */
    private static Phase measure(
            Wrk wrk, int port, CpuMeter meter, String name, int connections, List<Wrk.Request> requests)
            throws Exception {
        String before = uptime();
        CpuMeter.Sample start = meter.sample();
        Wrk.Result run = wrk.run(name, port, connections, MEASURE, requests);
        CpuMeter.Usage usage = CpuMeter.between(start, meter.sample());
        CpuMeter.Usage withWrk = new CpuMeter.Usage(
                usage.serviceMs(), run.generatorMs(), usage.postgresMs(), usage.childJvmMs(), usage.jitMs());
        return Phase.of(run.result(), withWrk, before);
    }

    /**
     * The CPU the processes use with no request at all (Kafka consumers polling, the relay's timer, the JVMs'
     * housekeeping): part of every phase's CPU per request, a large part at low request rates.
     */
    private static String idle(String name, CpuMeter meter, Duration duration) {
        CpuMeter.Sample start = meter.sample();
        await().during(duration).atMost(duration.plusSeconds(5)).until(() -> true);
        CpuMeter.Usage usage = CpuMeter.between(start, meter.sample());
        double seconds = duration.toMillis() / 1000.0;
        return String.format(
                "%s, CPU per second: service %.1f ms, postgres %.1f ms, kafka+s3 JVMs %.1f ms%n  %s",
                name,
                usage.serviceMs() / seconds,
                usage.postgresMs() / seconds,
                usage.childJvmMs() / seconds,
                uptime());
    }

    private static io.vertx.core.Future<Boolean> create(HttpClient client, String auth, List<String[]> created) {
        return client.request(HttpMethod.POST, "/v1/schedules")
                .compose(request -> request.putHeader("Authorization", auth)
                        .putHeader("Content-Type", "application/json")
                        .send(CREATE_BODY))
                .compose(response -> response.body().map(body -> {
                    if (response.statusCode() != 201) {
                        return false;
                    }
                    Matcher id = ID.matcher(body.toString());
                    if (id.find()) {
                        // only the generator's event loop thread touches the list
                        created.add(new String[] {auth, id.group(1)});
                    }
                    return true;
                }));
    }

    private static String uptime() {
        try {
            Process process =
                    new ProcessBuilder("uptime").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            process.waitFor(5, TimeUnit.SECONDS);
            return "uptime: " + output;
        } catch (IOException | InterruptedException e) {
            return "uptime: unavailable (" + e + ")";
        }
    }

    /**
     * With {@code -Drecur.postgres.preload=pg_stat_statements}: clears the server's statement statistics, so that
     * the create phase's can be printed after it. False (and nothing done) without the library.
     */
    private static boolean resetStatementStats() {
        try (Connection c = database();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW shared_preload_libraries")) {
                if (!rs.next() || !rs.getString(1).contains("pg_stat_statements")) {
                    return false;
                }
            }
            s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            s.execute("SELECT pg_stat_statements_reset()");
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The statements of the create phase by time spent in the server (planning + execution), per create. */
    private static String statementStats(long creates) {
        StringBuilder out = new StringBuilder("  pg_stat_statements of the create phase (ms per create: plan + exec;"
                + " calls; rows per call; WAL bytes per create):");
        try (Connection c = database();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        SELECT total_plan_time, total_exec_time, calls, rows, wal_bytes,
                               regexp_replace(left(query, 90), '\\s+', ' ', 'g')
                        FROM pg_stat_statements ORDER BY total_plan_time + total_exec_time DESC LIMIT 10""")) {
            while (rs.next()) {
                long calls = rs.getLong(3);
                out.append(String.format(
                        "%n    %.4f + %.4f ms, %d calls, %.1f rows, %.0f B: %s",
                        rs.getDouble(1) / creates,
                        rs.getDouble(2) / creates,
                        calls,
                        (double) rs.getLong(4) / Math.max(1, calls),
                        rs.getDouble(5) / creates,
                        rs.getString(6)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /** A connection to the service's database on the benchmark's server. */
    private static Connection database() throws SQLException {
        PostgresServer postgres = Infra.postgres();
        return DriverManager.getConnection(postgres.jdbcUrl("recur_api"), postgres.username(), postgres.password());
    }

    /** Bytes of WAL the server has written so far (its current insert position). */
    private static long walBytes() {
        try (Connection c = database();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether commits wait for the disk: production's settings or the tests' (-Drecur.postgres.durable). */
    private static String durability() {
        try (Connection c = database();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('fsync'), current_setting('synchronous_commit'),"
                        + " current_setting('full_page_writes')")) {
            rs.next();
            return String.format(
                    "PostgreSQL: fsync=%s, synchronous_commit=%s, full_page_writes=%s (%s)",
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    "on".equals(rs.getString(1))
                            ? "durable, as in production"
                            : "test settings; " + "-D" + Infra.DURABLE_POSTGRES + "=true for production's");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    record Baseline(String method, double perSecond, double postgresCpuMsPerInsert) {}

    /**
     * pgbench with a single-row INSERT script and {@code clients} connections on the same server; a JDBC loop if
     * pgbench is missing.
     */
    private static Baseline pgbenchInserts(CpuMeter meter, int clients) throws Exception {
        PostgresServer postgres = Infra.postgres();
        String database = "recur_api";
        try (Connection c = DriverManager.getConnection(
                        postgres.jdbcUrl(database), postgres.username(), postgres.password());
                Statement s = c.createStatement()) {
            // the phases leave dead rows (deleted outbox rows, the quota updates) for autovacuum: cleaned up here
            // first, so that pgbench does not pay for it (its rate still varies between runs, 15,000-21,600/s)
            CpuMeter.Sample before = meter.sample();
            long started = System.nanoTime();
            s.execute("VACUUM");
            s.execute("CHECKPOINT");
            System.out.printf(
                    "before pgbench: VACUUM and CHECKPOINT of the database after the phases took %.1f s,"
                            + " postgres CPU %.0f ms%n",
                    (System.nanoTime() - started) / 1e9,
                    CpuMeter.between(before, meter.sample()).postgresMs());
            s.execute("DROP TABLE IF EXISTS bench_baseline");
            s.execute("CREATE TABLE bench_baseline (id bigint PRIMARY KEY, owner text NOT NULL, payload jsonb NOT NULL,"
                    + " created_at timestamptz NOT NULL)");
        }
        Path script = Files.createTempFile("pgbench-insert", ".sql");
        Files.writeString(
                script,
                "\\set id random(1, 9000000000000000000)\n"
                        + "INSERT INTO bench_baseline VALUES (:id, 'bench', '{\"source\": \"amazon_product\"}', now());\n");
        try {
            ProcessBuilder pb = new ProcessBuilder(
                            "pgbench",
                            "-n",
                            "-M",
                            "prepared",
                            "-c",
                            Integer.toString(clients),
                            "-j",
                            Integer.toString(Math.min(2, clients)),
                            "-T",
                            Long.toString(MEASURE.toSeconds()),
                            "-f",
                            script.toString(),
                            "-h",
                            postgres.host(),
                            "-p",
                            Integer.toString(postgres.port()),
                            "-U",
                            postgres.username(),
                            database)
                    .redirectErrorStream(true);
            pb.environment().put("PGPASSWORD", postgres.password());
            CpuMeter.Sample before = meter.sample();
            long walBefore = walBytes();
            Process process = pb.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(MEASURE.toSeconds() + 60, TimeUnit.SECONDS);
            CpuMeter.Usage usage = CpuMeter.between(before, meter.sample());
            long wal = walBytes() - walBefore;
            System.out.println(output);
            Matcher tps = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)")
                    .matcher(output);
            Matcher processed = Pattern.compile("number of transactions actually processed: (\\d+)")
                    .matcher(output);
            if (tps.find() && processed.find()) {
                long inserts = Long.parseLong(processed.group(1));
                System.out.printf("pgbench WAL written: %.0f bytes per insert%n", (double) wal / inserts);
                return new Baseline(
                        "pgbench -M prepared single-row INSERT",
                        Double.parseDouble(tps.group(1)),
                        usage.postgresMs() / inserts);
            }
        } catch (IOException e) {
            System.out.println("pgbench not available (" + e.getMessage() + "); measuring a JDBC insert loop instead");
        }
        return jdbcInserts(postgres, database, meter, clients);
    }

    private static Baseline jdbcInserts(PostgresServer postgres, String database, CpuMeter meter, int clients)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long deadline = System.nanoTime() + MEASURE.toNanos();
        AtomicLong count = new AtomicLong();
        CpuMeter.Sample before = meter.sample();
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            futures.add(pool.submit(() -> {
                try (Connection c = DriverManager.getConnection(
                                postgres.jdbcUrl(database), postgres.username(), postgres.password());
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
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Baseline(
                "JDBC single-row INSERT loop",
                count.get() / seconds,
                CpuMeter.between(before, meter.sample()).postgresMs() / Math.max(1, count.get()));
    }
}
