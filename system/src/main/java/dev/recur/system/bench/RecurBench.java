package dev.recur.system.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.common.cron.CronExpression;
import dev.recur.common.id.Ids;
import dev.recur.common.time.ApiTime;
import dev.recur.system.LocalRecur;
import dev.recur.testinfra.ChildJvm;
import dev.recur.testinfra.EmbeddedS3Server;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.Ports;

/**
 * {@code ./recur-bench}: the whole system's throughput and latency as an operator sees them (see
 * {@link BenchOptions#USAGE}). Starts {@link LocalRecur} with the production JVM flags and {@link BenchStub} as the
 * world outside, creates the schedules through the REST API, and follows every job of the measured minutes from
 * its {@code scheduled_for} to its callback (recorded by the stub) and its S3 object (the file s3proxy wrote).
 */
public final class RecurBench {

    /** The stub's address: the one internal address the services are allowed to call (fetcher and callbacks). */
    static final String OUTSIDE_ADDRESS = "127.0.0.2";

    static final String BUCKET = "bench-results";
    private static final String PASSWORD = "bench-password-1";
    private static final int CREATE_CONCURRENCY = 32;
    private static final Duration SCHEDULE_SETTLE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchOptions options;
    private final Path repoDir;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public RecurBench(BenchOptions options, Path repoDir) {
        this.options = options;
        this.repoDir = repoDir;
    }

    public static void main(String[] args) {
        Path repo = Path.of(System.getProperty("recur.repo.dir", "."))
                .toAbsolutePath()
                .normalize();
        if (Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(repo, args);
        } catch (IllegalArgumentException e) {
            System.err.println("recur-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        BenchResult result = new RecurBench(options, repo).run();
        System.exit(result.exact() ? 0 : 1);
    }

    /** Runs the benchmark, prints and writes its figures, and stops everything it started. */
    public BenchResult run() {
        Path data = options.dataDir();
        Infra.deleteRecursively(data);
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // ProcessCpu finds PostgreSQL (which detaches from its starter) by this folder in its command line
        System.setProperty("recur.infra.dir", data.toString());
        if (System.getProperty(EmbeddedS3Server.JVM_OPTIONS) == null) {
            System.setProperty(EmbeddedS3Server.JVM_OPTIONS, "-Xms128m -Xmx512m -XX:+UseParallelGC");
        }
        Path records = data.resolve("callbacks.bin");
        int stubPort = Ports.free();
        ChildJvm stub = ChildJvm.start(
                "bench-stub",
                List.of(codeLocation(BenchStub.class), codeLocation(ApiTime.class)),
                List.of("-Xms64m", "-Xmx256m", "-XX:+UseParallelGC"),
                BenchStub.class.getName(),
                List.of(OUTSIDE_ADDRESS, Integer.toString(stubPort), records.toString()),
                data.resolve("logs").resolve("bench-stub.log"));
        Map<String, String> props = new LinkedHashMap<>();
        props.put("recur.job-runner.fetcher.allow", OUTSIDE_ADDRESS + "/32");
        props.put("recur.delivery.callback.allowed-networks", OUTSIDE_ADDRESS + "/32");
        LocalRecur recur = new LocalRecur(new LocalRecur.Options(
                snapshotOfServices(data), data, 0, 0, 0, 0, 0, 0, 0, LocalRecur.Options.NO_GCS, true, false, props));
        recur.serviceJvmOptions(options.serviceJvmOptions());
        Thread stopper = new Thread(
                () -> {
                    recur.close();
                    stub.stop(5);
                },
                "recur-bench-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            long start = System.nanoTime();
            recur.start();
            awaitListening(stub, stubPort);
            recur.s3().createBucket(BUCKET);
            log(
                    "Recur started in %.1f s (services: %s); data and logs in %s",
                    (System.nanoTime() - start) / 1e9, String.join(" ", options.serviceJvmOptions()), data);
            Map<Long, String> names = new HashMap<>();
            for (String service : List.of("schedule-api", "ticker", "job-runner", "delivery")) {
                names.put(recur.service(service).pid(), service);
            }
            names.put(stub.pid(), "stub");
            names.put(ProcessHandle.current().pid(), "harness");
            List<Long> scheduleIds = createSchedules(recur, "http://" + OUTSIDE_ADDRESS + ":" + stubPort);
            BenchResult result =
                    measure(scheduleIds, records, data.resolve("s3/blobs").resolve(BUCKET), new SystemCpu(names));
            result.print(System.out);
            result.writeJson(options.json());
            log("figures written to %s", options.json());
            return result;
        } finally {
            Runtime.getRuntime().removeShutdownHook(stopper);
            stopper.run();
        }
    }

    /**
     * The services' runnable jars as they are now, hard-linked (copied where links cannot be made) under the data
     * folder, which then stands for the repository: a build that replaces them during the run does not touch the
     * running services.
     */
    private Path snapshotOfServices(Path data) {
        Path apps = data.resolve("apps");
        for (String module : List.of("schedule-api", "ticker", "job-runner", "delivery")) {
            Path from = repoDir.resolve(module).resolve("target/quarkus-app");
            Path to = apps.resolve(module).resolve("target/quarkus-app");
            if (!Files.isDirectory(from)) {
                throw new IllegalStateException(from + " is missing: build with ./mvnw -B install -DskipTests");
            }
            try (var files = Files.walk(from)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path target = to.resolve(from.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(target);
                    } else {
                        try {
                            Files.createLink(target, file);
                        } catch (IOException | UnsupportedOperationException e) {
                            Files.copy(file, target);
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return apps;
    }

    private List<Long> createSchedules(LocalRecur recur, String outside) {
        String admin = basic(LocalRecur.ADMIN_USER, recur.adminPassword());
        for (int u = 0; u < options.users(); u++) {
            HttpResponse<String> r = send(
                            recur.apiBaseUrl(),
                            admin,
                            "/v1/admin/users",
                            "{\"username\":\"bench-" + u + "\",\"password\":\"" + PASSWORD + "\"}")
                    .join();
            if (r.statusCode() != 201) {
                throw new IllegalStateException("cannot add user bench-" + u + ": " + r.statusCode() + " " + r.body());
            }
        }
        StringBuilder items = new StringBuilder("[");
        for (int i = 0; i < options.items(); i++) {
            items.append(i == 0 ? "" : ",")
                    .append("{\"source\":\"universal\",\"url\":\"")
                    .append(outside)
                    .append("/page/")
                    .append(i)
                    .append("\",\"callback_url\":\"")
                    .append(outside)
                    .append("/hook/")
                    .append(i)
                    .append("\",\"storage_type\":\"s3\",\"storage_url\":\"s3://")
                    .append(BUCKET)
                    .append("/i")
                    .append(i)
                    .append("\"}");
        }
        String body = "{\"cron\":\"" + options.cron() + "\",\"items\":" + items + "]," + "\"end_time\":\""
                + ApiTime.format(Instant.now().plus(Duration.ofDays(1))) + "\"}";
        long start = System.nanoTime();
        Long[] ids = new Long[options.schedules()];
        Semaphore slots = new Semaphore(CREATE_CONCURRENCY);
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int s = 0; s < options.schedules(); s++) {
            int index = s;
            slots.acquireUninterruptibly();
            String user = basic("bench-" + (s % options.users()), PASSWORD);
            sent.add(send(recur.apiBaseUrl(), user, "/v1/schedules", body)
                    .thenAccept(r -> {
                        slots.release();
                        if (r.statusCode() != 201) {
                            throw new IllegalStateException("create answered " + r.statusCode() + ": " + r.body());
                        }
                        ids[index] = json(r.body()).path("schedule_id").asLong();
                    })
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            slots.release();
                        }
                    }));
            if (s % 500 == 499) {
                progress("creating schedules", s + 1, options.schedules(), "");
            }
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.println();
        log(
                "%,d schedules x %d items created in %.1f s (%.0f/s) by %d users",
                options.schedules(), options.items(), seconds, options.schedules() / seconds, options.users());
        return List.of(ids);
    }

    private BenchResult measure(List<Long> scheduleIds, Path records, Path s3Dir, SystemCpu cpu) {
        List<Instant> fires = CronExpression.parse(options.cron())
                .nextTimes(
                        Instant.now().plus(SCHEDULE_SETTLE),
                        ZoneOffset.UTC,
                        options.warmupMinutes() + options.minutes());
        List<Instant> measured = fires.subList(options.warmupMinutes(), fires.size());
        log(
                "warm-up minutes %s; measured minutes %s (%,d jobs each)",
                fires.subList(0, options.warmupMinutes()), measured, options.jobsPerMinute());
        Jobs jobs = new Jobs(scheduleIds, options.items(), measured);
        Instant deadline = measured.get(measured.size() - 1).plus(Duration.ofSeconds(60 + options.drainSeconds()));
        SystemCpu.Snapshot start = null;
        SystemCpu.Snapshot end = null;
        boolean[] ended = new boolean[measured.size()];
        SystemCpu.IntervalMeter whileDraining = new SystemCpu.IntervalMeter();
        int warmupSeen = 0;
        try (RandomAccessFile file = openWhenThere(records)) {
            while (true) {
                warmupSeen += jobs.read(file);
                Instant now = Instant.now();
                if (start == null && !now.isBefore(measured.get(0))) {
                    cpu.refresh();
                    start = cpu.snapshot(true);
                }
                boolean draining = false;
                for (int m = 0; m < measured.size(); m++) {
                    ended[m] = jobs.calledBack(m) == jobs.perMinute;
                    draining |= !ended[m] && !now.isBefore(measured.get(m));
                }
                whileDraining.sample(SystemCpu.machine(), draining);
                showProgress(now, fires, measured, jobs, warmupSeen);
                boolean allEnded = start != null && allTrue(ended);
                if (allEnded || now.isAfter(deadline)) {
                    // the CPU window ends when the last callback came, or when the run gave up waiting
                    end = cpu.snapshot(true);
                    break;
                }
                Ports.sleep(Duration.ofMillis(250));
            }
            // late duplicates (a callback retried after a lost answer) come within a few seconds
            Ports.sleep(Duration.ofSeconds(3));
            jobs.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println();
        jobs.readObjects(s3Dir, deadline);
        return BenchResult.of(options, measured, jobs, start == null ? end : start, end, whileDraining.busyShare());
    }

    private static boolean allTrue(boolean[] values) {
        for (boolean value : values) {
            if (!value) {
                return false;
            }
        }
        return true;
    }

    private void showProgress(Instant now, List<Instant> fires, List<Instant> measured, Jobs jobs, int warmupSeen) {
        int current = -1;
        for (int m = 0; m < measured.size(); m++) {
            if (!now.isBefore(measured.get(m))) {
                current = m;
            }
        }
        if (current < 0) {
            long wait = Duration.between(now, measured.get(0)).toSeconds();
            progress(
                    options.warmupMinutes() > 0 && !now.isBefore(fires.get(0)) ? "warm-up" : "waiting",
                    warmupSeen,
                    (long) jobs.perMinute * Math.max(1, options.warmupMinutes()),
                    String.format(Locale.ROOT, "callbacks before the measured minutes; first in %d s", wait));
            return;
        }
        long done = 0;
        for (int m = 0; m <= current; m++) {
            done += jobs.calledBack(m);
        }
        progress(
                "minute " + (current + 1) + "/" + measured.size(),
                done,
                (long) jobs.perMinute * (current + 1),
                String.format(
                        Locale.ROOT,
                        "called back; +%.0f s; load %s",
                        Duration.between(measured.get(current), now).toMillis() / 1e3,
                        loadAverage()));
    }

    private static void progress(String phase, long done, long total, String what) {
        int width = 30;
        int filled = total == 0 ? 0 : (int) Math.min(width, done * width / total);
        System.out.printf(
                Locale.ROOT,
                "\r[recur-bench] %-13s |%s%s| %,d/%,d %s   ",
                phase,
                "#".repeat(filled),
                ".".repeat(width - filled),
                done,
                total,
                what);
        System.out.flush();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void awaitListening(ChildJvm stub, int port) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            stub.checkAlive();
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(OUTSIDE_ADDRESS, port), 200);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the bench stub does not listen on port " + port, e);
                }
                Ports.sleep(Duration.ofMillis(100));
            }
        }
    }

    private static RandomAccessFile openWhenThere(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        return new RandomAccessFile(file.toFile(), "r");
    }

    private CompletableFuture<HttpResponse<String>> send(String base, String auth, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", auth)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String codeLocation(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[recur-bench] " + format + "%n", args);
    }

    /** Every job of the measured minutes: its callbacks and the time of the first, its object's write time. */
    static final class Jobs {
        final int perMinute;
        final List<Instant> minutes;
        final int items;
        /** job id → index: minute × perMinute + schedule × items + item. */
        private final Map<Long, Integer> index = new HashMap<>();

        final long[] callbackMicros;
        final int[] callbacks;
        final long[] objectMicros;
        final long[] jobIds;
        private final int[] calledBack;
        private final long firstSecond;
        private final long lastSecond;
        long unexpected;
        private final ByteBuffer buffer = ByteBuffer.allocate(BenchStub.CallbackRecord.BYTES * 4096);

        Jobs(List<Long> scheduleIds, int items, List<Instant> minutes) {
            this.items = items;
            this.minutes = minutes;
            this.perMinute = scheduleIds.size() * items;
            int total = perMinute * minutes.size();
            callbackMicros = new long[total];
            callbacks = new int[total];
            objectMicros = new long[total];
            jobIds = new long[total];
            calledBack = new int[minutes.size()];
            for (int m = 0; m < minutes.size(); m++) {
                for (int s = 0; s < scheduleIds.size(); s++) {
                    long run = Ids.runId(scheduleIds.get(s), minutes.get(m));
                    for (int i = 0; i < items; i++) {
                        int at = m * perMinute + s * items + i;
                        jobIds[at] = Ids.jobId(run, i);
                        index.put(jobIds[at], at);
                    }
                }
            }
            firstSecond = minutes.get(0).getEpochSecond();
            lastSecond = minutes.get(minutes.size() - 1).getEpochSecond();
        }

        int calledBack(int minute) {
            return calledBack[minute];
        }

        Instant minute(int at) {
            return minutes.get(at / perMinute);
        }

        /** Reads the records the stub appended since the last call; returns how many were of earlier minutes. */
        int read(RandomAccessFile file) throws IOException {
            int earlier = 0;
            while (true) {
                buffer.clear();
                long position = file.getFilePointer();
                int n = file.getChannel().read(buffer);
                if (n <= 0) {
                    return earlier;
                }
                int whole = n - n % BenchStub.CallbackRecord.BYTES;
                file.seek(position + whole);
                buffer.flip();
                for (int r = 0; r < whole / BenchStub.CallbackRecord.BYTES; r++) {
                    long jobId = buffer.getLong();
                    buffer.getLong();
                    long scheduledFor = buffer.getLong();
                    long received = buffer.getLong();
                    Integer at = index.get(jobId);
                    if (at == null) {
                        if (scheduledFor >= firstSecond && scheduledFor <= lastSecond) {
                            unexpected++;
                        } else if (scheduledFor < firstSecond) {
                            earlier++;
                        }
                        continue;
                    }
                    if (callbacks[at]++ == 0) {
                        callbackMicros[at] = received;
                        calledBack[at / perMinute]++;
                    }
                }
                if (whole < n) {
                    return earlier;
                }
            }
        }

        /** The write time of each job's S3 object, waiting until every one is there or the deadline. */
        void readObjects(Path bucketDir, Instant deadline) {
            while (true) {
                int missing = 0;
                for (int at = 0; at < jobIds.length; at++) {
                    if (objectMicros[at] != 0) {
                        continue;
                    }
                    Path object = bucketDir.resolve("i" + (at % items)).resolve(jobIds[at] + ".json");
                    try {
                        Instant written = Files.getLastModifiedTime(object).toInstant();
                        objectMicros[at] = written.getEpochSecond() * 1_000_000 + written.getNano() / 1_000;
                    } catch (IOException e) {
                        missing++;
                    }
                }
                if (missing == 0 || Instant.now().isAfter(deadline)) {
                    return;
                }
                Ports.sleep(Duration.ofSeconds(1));
            }
        }
    }
}
