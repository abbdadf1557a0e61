package dev.recur.system.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import dev.recur.testinfra.ProcessCpu;

/**
 * CPU time of every process of the benchmarked system, from {@code /proc} through {@link ProcessCpu}: by process
 * label (each service by name, kafka, postgres with its backends, s3proxy, the stub, the harness), by thread of
 * those processes, and of the whole machine.
 */
final class SystemCpu {

    /** A moment's CPU milliseconds: by label, by thread ("label/thread name/tid"), of the machine. */
    record Snapshot(
            long epochMicros,
            Map<String, Long> byLabel,
            Map<String, Long> byThread,
            long machineBusyMillis,
            long machineTotalMillis) {}

    private static final long MILLIS_PER_TICK = 10;
    private final Map<Long, String> names;
    private Map<Long, String> processes;

    SystemCpu(Map<Long, String> names) {
        this.names = Map.copyOf(names);
        refresh();
    }

    /** Finds the processes again (PostgreSQL starts a backend per new connection). */
    void refresh() {
        processes = ProcessCpu.processes(names);
    }

    Snapshot snapshot(boolean threads) {
        java.time.Instant now = java.time.Instant.now();
        long epochMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        Map<String, Long> byLabel = new TreeMap<>();
        Map<String, Long> byThread = new HashMap<>();
        processes.forEach((pid, label) -> {
            byLabel.merge(label, ProcessCpu.cpuMillis(pid), Long::sum);
            if (threads) {
                threads(pid, label, byThread);
            }
        });
        long[] machine = machine();
        return new Snapshot(epochMicros, byLabel, byThread, machine[0], machine[1]);
    }

    private static void threads(long pid, String label, Map<String, Long> byThread) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).trim();
                } catch (IOException e) {
                    continue;
                }
                byThread.put(label + "/" + name + "/" + task.getFileName(), ProcessCpu.cpuMillis(task.resolve("stat")));
            }
        } catch (IOException | RuntimeException e) {
            // the process ended
        }
    }

    /** Busy and total CPU milliseconds of the machine (all cores) from the first line of /proc/stat. */
    static long[] machine() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {(total - idle) * MILLIS_PER_TICK, total * MILLIS_PER_TICK};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /**
     * Threads' CPU milliseconds by pool: "label/name" with the thread name's trailing number dropped (Linux keeps
     * the first 15 characters of a name), and the number of threads.
     */
    static Map<String, Long> byPool(Map<String, Long> byThread) {
        Map<String, Long> pools = new LinkedHashMap<>();
        byThread.forEach((key, millis) -> pools.merge(pool(key), millis, Long::sum));
        return pools;
    }

    static String pool(String threadKey) {
        String withoutTid = threadKey.substring(0, threadKey.lastIndexOf('/'));
        return withoutTid.replaceAll("[-#]?\\d+$", "");
    }

    /** CPU milliseconds used between two snapshots, by key. */
    static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> used = new TreeMap<>();
        after.forEach((key, millis) -> used.put(key, Math.max(0, millis - before.getOrDefault(key, 0L))));
        return used;
    }

    /**
     * The machine's busy share over chosen intervals only: {@link #sample} each poll, counting the interval since the
     * previous sample when {@code counting}. The bench counts the seconds in which a measured minute was draining, so
     * the idle rest of each minute does not hide a saturated drain.
     */
    static final class IntervalMeter {
        private long[] previous;
        private long busy;
        private long total;

        void sample(long[] machine, boolean counting) {
            if (previous != null && counting) {
                busy += machine[0] - previous[0];
                total += machine[1] - previous[1];
            }
            previous = machine;
        }

        /** Busy share of the counted intervals (NaN before any). */
        double busyShare() {
            return total > 0 ? Math.round(busy * 1000.0 / total) / 1000.0 : Double.NaN;
        }
    }
}
