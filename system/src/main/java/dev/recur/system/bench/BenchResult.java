package dev.recur.system.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The figures of one {@code ./recur-bench} run: per measured minute and overall, the jobs done (callback received
 * and S3 object written, each job counted once), jobs/s, latencies from {@code scheduled_for}, exactness, and CPU.
 */
public record BenchResult(
        Map<String, Object> settings,
        List<Minute> minutes,
        Minute overall,
        boolean exact,
        List<String> problems,
        Map<String, Double> cpuMillisPerJob,
        Map<String, Double> coresUsed,
        Map<String, Double> threadPools,
        Map<String, Double> busiestThreads,
        double machineBusy,
        double machineBusyWhileDraining,
        String saturation,
        double cpuBoundJobsPerSecond,
        double coresForP99Within10Seconds) {

    /** Latency percentiles in seconds. */
    public record Latency(double p50, double p99, double max) {
        static Latency of(long[] micros) {
            if (micros.length == 0) {
                return new Latency(Double.NaN, Double.NaN, Double.NaN);
            }
            long[] sorted = micros.clone();
            Arrays.sort(sorted);
            return new Latency(at(sorted, 0.50), at(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
        }

        private static double at(long[] sorted, double quantile) {
            int index = (int) Math.ceil(quantile * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }
    }

    /**
     * One minute (or all measured ones): jobs expected, done, called back, objects written, duplicate callbacks;
     * {@code drainSeconds} from the minute to its last job done (overall: the time within some minute's drain, a
     * second counted once when drains overlap), and jobs/s = done / drainSeconds.
     */
    public record Minute(
            String minute,
            int expected,
            int done,
            int calledBack,
            int objects,
            int duplicates,
            double drainSeconds,
            double jobsPerSecond,
            Latency toCallback,
            Latency toObject) {}

    static BenchResult of(
            BenchOptions options,
            List<Instant> measured,
            RecurBench.Jobs jobs,
            SystemCpu.Snapshot start,
            SystemCpu.Snapshot end,
            double busyWhileDraining) {
        List<Minute> minutes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long lastDone = 0;
        // the minutes' drains, [minute, its last job done]: overlapping ones (a backlog) count their time once
        double drainSum = 0;
        long busyUntil = Long.MIN_VALUE;
        List<long[]> allCallback = new ArrayList<>();
        List<long[]> allObject = new ArrayList<>();
        int doneSum = 0;
        int calledBackSum = 0;
        int objectsSum = 0;
        int duplicatesSum = 0;
        for (int m = 0; m < measured.size(); m++) {
            long minuteMicros = measured.get(m).getEpochSecond() * 1_000_000;
            int from = m * jobs.perMinute;
            long[] toCallback = new long[jobs.perMinute];
            long[] toObject = new long[jobs.perMinute];
            int nCallback = 0;
            int nObject = 0;
            int done = 0;
            int duplicates = 0;
            long minuteLast = minuteMicros;
            for (int at = from; at < from + jobs.perMinute; at++) {
                int callbacks = jobs.callbacks[at];
                duplicates += Math.max(0, callbacks - 1);
                if (callbacks > 0) {
                    toCallback[nCallback++] = jobs.callbackMicros[at] - minuteMicros;
                }
                if (jobs.objectMicros[at] != 0) {
                    toObject[nObject++] = jobs.objectMicros[at] - minuteMicros;
                }
                if (callbacks > 0 && jobs.objectMicros[at] != 0) {
                    done++;
                    minuteLast = Math.max(minuteLast, Math.max(jobs.callbackMicros[at], jobs.objectMicros[at]));
                }
            }
            double drain = (minuteLast - minuteMicros) / 1e6;
            toCallback = Arrays.copyOf(toCallback, nCallback);
            toObject = Arrays.copyOf(toObject, nObject);
            allCallback.add(toCallback);
            allObject.add(toObject);
            minutes.add(new Minute(
                    measured.get(m).toString(),
                    jobs.perMinute,
                    done,
                    nCallback,
                    nObject,
                    duplicates,
                    drain,
                    drain > 0 ? done / drain : 0,
                    Latency.of(toCallback),
                    Latency.of(toObject)));
            if (nCallback != jobs.perMinute) {
                problems.add(String.format(
                        Locale.ROOT,
                        "%s: %,d of %,d jobs never called back",
                        measured.get(m),
                        jobs.perMinute - nCallback,
                        jobs.perMinute));
            }
            if (nObject != jobs.perMinute) {
                problems.add(String.format(
                        Locale.ROOT,
                        "%s: %,d of %,d S3 objects never written",
                        measured.get(m),
                        jobs.perMinute - nObject,
                        jobs.perMinute));
            }
            if (duplicates > 0) {
                problems.add(String.format(Locale.ROOT, "%s: %,d duplicate callbacks", measured.get(m), duplicates));
            }
            lastDone = Math.max(lastDone, minuteLast);
            long busyFrom = Math.max(minuteMicros, busyUntil);
            drainSum += Math.max(0, minuteLast - busyFrom) / 1e6;
            busyUntil = Math.max(busyUntil, minuteLast);
            doneSum += done;
            calledBackSum += nCallback;
            objectsSum += nObject;
            duplicatesSum += duplicates;
        }
        if (jobs.unexpected > 0) {
            problems.add(String.format(
                    Locale.ROOT, "%,d callbacks of measured minutes for jobs never scheduled", jobs.unexpected));
        }
        Minute overall = new Minute(
                "all",
                jobs.perMinute * measured.size(),
                doneSum,
                calledBackSum,
                objectsSum,
                duplicatesSum,
                drainSum,
                drainSum > 0 ? doneSum / drainSum : 0,
                Latency.of(concat(allCallback)),
                Latency.of(concat(allObject)));

        // CPU from the first measured minute to the last callback (or to the end of the wait, when jobs are missing)
        Map<String, Double> perJob = new TreeMap<>();
        Map<String, Long> used = SystemCpu.between(start.byLabel(), end.byLabel());
        if (doneSum > 0) {
            long total = used.values().stream().mapToLong(Long::longValue).sum();
            double jobsDone = doneSum;
            used.forEach((label, millis) -> perJob.put(label, round(millis / jobsDone)));
            perJob.put("total", round(total / jobsDone));
            // the system alone, without the world outside it (the stub) and the measuring harness
            long outside = used.getOrDefault("stub", 0L) + used.getOrDefault("harness", 0L);
            perJob.put("system", round((total - outside) / jobsDone));
        }
        double windowMillis = (end.epochMicros() - start.epochMicros()) / 1e3;
        Map<String, Long> threadMillis = SystemCpu.between(start.byThread(), end.byThread());
        long busy = end.machineBusyMillis() - start.machineBusyMillis();
        long machine = end.machineTotalMillis() - start.machineTotalMillis();
        Map<String, Double> cores = new LinkedHashMap<>();
        Map<String, Double> pools = new LinkedHashMap<>();
        Map<String, Double> threads = new LinkedHashMap<>();
        if (windowMillis > 0) {
            used.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> cores.put(e.getKey(), round(e.getValue() / windowMillis)));
            SystemCpu.byPool(threadMillis).entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(12)
                    .forEach(e -> pools.put(e.getKey(), round(e.getValue() / windowMillis)));
            threadMillis.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(5)
                    .forEach(e -> threads.put(e.getKey(), round(e.getValue() / windowMillis)));
        }
        double machineBusy = machine > 0 ? round(busy / (double) machine) : Double.NaN;
        int processors = Runtime.getRuntime().availableProcessors();
        String saturation = saturation(cores, threads, busyWhileDraining, processors);
        if (problems.isEmpty() && overall.done() != overall.expected()) {
            problems.add("not every job was done");
        }

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("schedules", options.schedules());
        settings.put("items", options.items());
        settings.put("jobs_per_minute", options.jobsPerMinute());
        settings.put("cron", options.cron());
        settings.put("users", options.users());
        settings.put("warmup_minutes", options.warmupMinutes());
        settings.put("measured_minutes", options.minutes());
        settings.put("service_jvm_options", String.join(" ", options.serviceJvmOptions()));
        settings.put("cores", processors);
        settings.put("load_average_at_end", RecurBench.loadAverage());
        settings.put("finished_at", Instant.now().toString());
        // with every core for the system alone: what its CPU per job allows (cores / CPU seconds per job)
        double cpuBound = perJob.containsKey("total") ? round(processors * 1000 / perJob.get("total")) : Double.NaN;
        // every job of a minute is due at its start: p99 within 10 s means 99 % of them done in 10 s of CPU time
        double coresForP99 = perJob.containsKey("total")
                ? round(0.99 * jobs.perMinute * perJob.get("total") / 1000 / 10)
                : Double.NaN;
        return new BenchResult(
                settings,
                minutes,
                overall,
                problems.isEmpty(),
                problems,
                perJob,
                cores,
                pools,
                threads,
                machineBusy,
                busyWhileDraining,
                saturation,
                cpuBound,
                coresForP99);
    }

    static String saturation(
            Map<String, Double> cores, Map<String, Double> threads, double busyWhileDraining, int processors) {
        if (cores.isEmpty()) {
            return "unknown (no CPU window)";
        }
        List<String> parts = new ArrayList<>();
        String topProcess = cores.entrySet().stream()
                .filter(e -> !e.getKey().equals("total"))
                .max(Comparator.comparingDouble(Map.Entry::getValue))
                .map(Map.Entry::getKey)
                .orElse("?");
        if (busyWhileDraining >= 0.9) {
            parts.add(String.format(
                    Locale.ROOT,
                    "the machine's CPU: %d cores %.0f%% busy while minutes drained,"
                            + " most of it %s (%.2f cores over the window)",
                    processors,
                    busyWhileDraining * 100,
                    topProcess,
                    cores.get(topProcess)));
        } else {
            parts.add(String.format(
                    Locale.ROOT,
                    "not the machine's CPU (%d cores %.0f%% busy while minutes drained;"
                            + " busiest process %s at %.2f cores over the window)",
                    processors,
                    busyWhileDraining * 100,
                    topProcess,
                    cores.get(topProcess)));
        }
        threads.entrySet().stream()
                .filter(e -> e.getValue() >= 0.85)
                .forEach(e -> parts.add(String.format(
                        Locale.ROOT,
                        "thread %s at %.2f cores (one thread: a core at most)",
                        e.getKey(),
                        e.getValue())));
        return String.join("; ", parts);
    }

    private static long[] concat(List<long[]> arrays) {
        return arrays.stream().flatMapToLong(Arrays::stream).toArray();
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    public void print(PrintStream out) {
        out.println();
        out.printf(
                Locale.ROOT,
                "recur-bench: %,d schedules x %d items (%,d jobs per minute), cron '%s', %d users;" + " services %s%n",
                settings.get("schedules"),
                settings.get("items"),
                settings.get("jobs_per_minute"),
                settings.get("cron"),
                settings.get("users"),
                settings.get("service_jvm_options"));
        out.println("a job is done when its callback was received and its S3 object written; latencies from"
                + " scheduled_for (seconds)");
        out.printf(
                Locale.ROOT,
                "%-22s %8s %8s %6s %8s %8s | %7s %7s %7s | %7s %7s %7s%n",
                "minute",
                "jobs",
                "done",
                "dups",
                "drain s",
                "jobs/s",
                "cb p50",
                "cb p99",
                "cb max",
                "s3 p50",
                "s3 p99",
                "s3 max");
        for (Minute m : minutes) {
            printMinute(out, m);
        }
        printMinute(out, overall);
        out.printf(
                Locale.ROOT,
                "exactly once: %s%n",
                exact ? "yes, every job of every measured minute" : "NO - " + String.join("; ", problems));
        out.printf(Locale.ROOT, "CPU ms per job: %s%n", cpuMillisPerJob);
        out.printf(
                Locale.ROOT,
                "CPU bound: %d cores / %.2f ms per job = %,.0f jobs/s with the cores to the system"
                        + " and the stub alone; 1,000 jobs/s needs %.1f cores for the system (%.2f ms per job without stub"
                        + " and harness)%n",
                settings.get("cores"),
                cpuMillisPerJob.getOrDefault("total", Double.NaN),
                cpuBoundJobsPerSecond,
                cpuMillisPerJob.getOrDefault("system", Double.NaN),
                cpuMillisPerJob.getOrDefault("system", Double.NaN));
        out.printf(
                Locale.ROOT,
                "p99 within 10 s at %,d jobs a minute (all due at its start) needs %.1f cores%n",
                settings.get("jobs_per_minute"),
                coresForP99Within10Seconds);
        out.printf(
                Locale.ROOT,
                "cores used from the first measured minute to the last job: %s; machine %.0f%%"
                        + " busy over that window, %.0f%% while minutes drained%n",
                coresUsed,
                machineBusy * 100,
                machineBusyWhileDraining * 100);
        out.printf(Locale.ROOT, "thread pools (cores): %s%n", threadPools);
        out.printf(Locale.ROOT, "busiest threads (cores): %s%n", busiestThreads);
        out.printf(Locale.ROOT, "saturates first: %s%n", saturation);
        out.printf(Locale.ROOT, "load average at the end: %s%n", settings.get("load_average_at_end"));
    }

    private static void printMinute(PrintStream out, Minute m) {
        out.printf(
                Locale.ROOT,
                "%-22s %,8d %,8d %6d %8.1f %,8.0f | %7.2f %7.2f %7.2f | %7.2f %7.2f %7.2f%n",
                m.minute(),
                m.expected(),
                m.done(),
                m.duplicates(),
                m.drainSeconds(),
                m.jobsPerSecond(),
                m.toCallback().p50(),
                m.toCallback().p99(),
                m.toCallback().max(),
                m.toObject().p50(),
                m.toObject().p99(),
                m.toObject().max());
    }

    public void writeJson(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
