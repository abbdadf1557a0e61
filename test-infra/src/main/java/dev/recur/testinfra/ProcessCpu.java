package dev.recur.testinfra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of every process a benchmark involves, from {@code /proc} (Linux): this JVM, its child processes
 * (the Kafka broker, s3proxy, the GCS emulator) and the processes whose command line names this JVM's
 * infrastructure folder ({@link Infra#baseDir()}) with their children: PostgreSQL's server, which detaches
 * from its starter, and its backends. Counts user + system time, including that of exited children.
 */
public final class ProcessCpu {

    private ProcessCpu() {}

    /** CPU milliseconds so far by process label ("test-jvm", "kafka", "s3proxy", "postgres", "gcs-emulator", ...). */
    public static Map<String, Long> snapshot() {
        Map<String, Long> byLabel = new TreeMap<>();
        processes(Map.of()).forEach((pid, label) -> byLabel.merge(label, cpuMillis(pid), Long::sum));
        return byLabel;
    }

    /**
     * The processes {@link #snapshot()} counts, by pid, with their labels; {@code names} labels the pids it holds
     * (several JVMs that would all be "java" otherwise).
     */
    public static Map<Long, String> processes(Map<Long, String> names) {
        Map<Long, String> processes = new TreeMap<>(names);
        ProcessHandle self = ProcessHandle.current();
        processes.putIfAbsent(self.pid(), "test-jvm");
        self.descendants().forEach(p -> processes.putIfAbsent(p.pid(), label(p.pid())));
        String infra = Infra.baseDir().toString();
        ProcessHandle.allProcesses()
                .filter(p -> commandLine(p.pid()).contains(infra))
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                .forEach(p -> processes.putIfAbsent(p.pid(), label(p.pid())));
        return processes;
    }

    /** What each label used between two snapshots, and the sum under "total". */
    public static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> used = new TreeMap<>();
        long total = 0;
        for (var entry : after.entrySet()) {
            long delta = Math.max(0, entry.getValue() - before.getOrDefault(entry.getKey(), 0L));
            used.put(entry.getKey(), delta);
            total += delta;
        }
        used.put("total", total);
        return used;
    }

    /** CPU milliseconds per operation by label, formatted to 3 decimals, for printing. */
    public static Map<String, String> perOperation(Map<String, Long> cpuMillis, int operations) {
        Map<String, String> per = new TreeMap<>();
        cpuMillis.forEach(
                (label, millis) -> per.put(label, String.format(Locale.ROOT, "%.3f", millis / (double) operations)));
        return per;
    }

    /** The load averages of {@code uptime}: how much of the machine other work took while a figure was taken. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String label(long pid) {
        String command = commandLine(pid);
        if (command.contains("kafka.Kafka")) {
            return "kafka";
        }
        if (command.contains("s3proxy")) {
            return "s3proxy";
        }
        if (command.contains("firebase") || command.contains("RulesRuntimeStandIn")) {
            return "gcs-emulator";
        }
        if (command.contains("postgres")) {
            return "postgres";
        }
        String first = command.split(" ", 2)[0];
        return first.isEmpty() ? "other" : Path.of(first).getFileName().toString();
    }

    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * CPU milliseconds of process (or thread) {@code pid} so far, with those of its exited children; 0 once it has
     * ended.
     */
    public static long cpuMillis(long pid) {
        return cpuMillis(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /**
     * CPU milliseconds from a {@code stat} file of {@code /proc}: a process's, or a thread's
     * ({@code /proc/<pid>/task/<tid>/stat}; {@code /proc/<tid>/stat} would count its whole process).
     */
    public static long cpuMillis(Path statFile) {
        // 0 when the process ended between listing and reading
        return ProcStat.read(statFile).map(ProcStat::withChildrenMillis).orElse(0L);
    }
}
