package dev.recur.system.bench;

import java.nio.file.Path;
import java.util.List;

import dev.recur.common.cron.CronExpression;

/** What {@code ./recur-bench} runs: the load, the minutes measured, where data and the JSON figures go. */
public record BenchOptions(
        int schedules,
        int items,
        String cron,
        int users,
        int warmupMinutes,
        int minutes,
        int drainSeconds,
        Path dataDir,
        Path json,
        List<String> serviceJvmOptions) {

    /**
     * The services' JVM flags: those of the container images (the UBI OpenJDK run script: the parallel collector,
     * exit on out-of-memory, C1 and C2) with a fixed heap where the image takes a share of the container's memory.
     */
    public static final List<String> PRODUCTION_JVM_OPTIONS =
            List.of("-Xms256m", "-Xmx1g", "-XX:+UseParallelGC", "-XX:+ExitOnOutOfMemoryError");

    public static final String USAGE = """
            usage: ./recur-bench [options]
            Starts the whole of Recur as ./recur-local does (Kafka, PostgreSQL with fsync, S3 server, the four services
            as processes, with the production JVM flags rather than the local run's C1-only ones) on free ports, plus a
            stub page server and callback receiver in a JVM of its own; creates SCHEDULES schedules of ITEMS items
            each (source universal, a callback and an S3 upload per item), spread over USERS users; lets WARMUP fire
            minutes pass, then measures MINUTES fire minutes and prints, with a progress bar while it runs:
              - jobs/s, a job counted once when both its S3 object is written and its callback received: per minute
                (the minute's jobs / time from the minute to its last job done) and overall;
              - p50 / p99 / max from scheduled_for to the callback received and to the S3 object written;
              - exactness: every job of every measured minute called back exactly once with its object written
                (otherwise the run fails: exit status 1);
              - CPU per job of every process (each service, kafka, postgres, s3proxy, the stub, the harness), the
                cores each used while minutes drained, and what saturates first;
            and writes the same figures as JSON.

            options (defaults in brackets):
              --schedules N       schedules created [6000]
              --items M           items per schedule: jobs per fire minute = N x M [5]
              --cron EXPR         the schedules' cron, 5-field UTC [* * * * *]
              --users U           users the schedules are spread over (job-runner bounds calls per owner) [8]
              --warmup N          fire minutes before the measured ones, not measured [2]
              --minutes K         fire minutes measured [3]
              --drain SECONDS     how long after the last measured minute to wait for its jobs [180]
              --data DIR          data and logs, emptied first [.recur-bench]
              --json FILE         the figures as JSON [DATA/bench-result.json]
              --jvm-options "F"   the services' JVM flags [%s]
              -h, --help          this text
            Run nothing else heavy meanwhile: every process shares the machine's cores.
            """.formatted(String.join(" ", PRODUCTION_JVM_OPTIONS));

    public static BenchOptions parse(Path repoDir, String... args) {
        int schedules = 6000;
        int items = 5;
        String cron = "* * * * *";
        int users = 8;
        int warmup = 2;
        int minutes = 3;
        int drain = 180;
        Path data = repoDir.resolve(".recur-bench");
        Path json = null;
        List<String> jvm = PRODUCTION_JVM_OPTIONS;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--schedules" -> schedules = positive(arg, value(args, ++i));
                case "--items" -> items = positive(arg, value(args, ++i));
                case "--cron" -> cron = value(args, ++i);
                case "--users" -> users = positive(arg, value(args, ++i));
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i));
                case "--minutes" -> minutes = positive(arg, value(args, ++i));
                case "--drain" -> drain = positive(arg, value(args, ++i));
                case "--data" -> data = Path.of(value(args, ++i)).toAbsolutePath();
                case "--json" -> json = Path.of(value(args, ++i)).toAbsolutePath();
                case "--jvm-options" -> jvm = List.of(value(args, ++i).trim().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown argument " + arg + " (try --help)");
            }
        }
        CronExpression.parse(cron);
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        return new BenchOptions(
                schedules,
                items,
                cron,
                Math.min(users, schedules),
                warmup,
                minutes,
                drain,
                data,
                json == null ? data.resolve("bench-result.json") : json,
                jvm);
    }

    public int jobsPerMinute() {
        return schedules * items;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value (try --help)");
        }
        return args[i];
    }

    private static int positive(String name, String value) {
        int n = Integer.parseInt(value);
        if (n <= 0) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return n;
    }
}
