package dev.recur.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU of the JIT compiler threads ({@code C1/C2 CompilerThread*}) and of the garbage collector's threads of this
 * JVM and of its child JVMs (the broker, s3proxy), from {@code /proc/<pid>/task/<tid>/stat} (Linux): whether a
 * benchmark phase measures compiled code or the compilation itself.
 */
final class JitCpu {

    private static final long MILLIS_PER_TICK = 10;

    private JitCpu() {
    }

    /**
     * CPU milliseconds so far of the compiler and GC threads, by process and kind ("test-jvm jit", "s3proxy gc",
     * ...).
     */
    static Map<String, Long> snapshot() {
        Map<String, Long> byLabel = new TreeMap<>();
        ProcessHandle self = ProcessHandle.current();
        add(byLabel, "test-jvm", self.pid());
        self.descendants().forEach(p -> {
            String command = commandLine(p.pid());
            String label = command.contains("kafka.Kafka") ? "kafka" : command.contains("s3proxy") ? "s3proxy" : null;
            if (label != null) {
                add(byLabel, label, p.pid());
            }
        });
        return byLabel;
    }

    private static void add(Map<String, Long> byLabel, String label, long pid) {
        byLabel.merge(label + " jit", threadMillis(pid, true), Long::sum);
        byLabel.merge(label + " gc", threadMillis(pid, false), Long::sum);
    }

    static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> used = new TreeMap<>();
        after.forEach((label, millis) -> used.put(label, Math.max(0, millis - before.getOrDefault(label, 0L))));
        return used;
    }

    private static long threadMillis(long pid, boolean compiler) {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                ticks += ticks(task.resolve("stat"), compiler);
            }
        } catch (IOException | RuntimeException e) {
            // the process ended while it was being read
        }
        return ticks * MILLIS_PER_TICK;
    }

    private static long ticks(Path stat, boolean compiler) {
        try {
            String line = Files.readString(stat);
            String name = line.substring(line.indexOf('(') + 1, line.lastIndexOf(')'));
            // thread names as the kernel keeps them, cut to 15 characters; SerialGC runs in the VM Thread
            boolean wanted = compiler ? name.contains("CompilerThre")
                    : name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread");
            if (!wanted) {
                return 0;
            }
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]); // utime, stime
        } catch (IOException | RuntimeException e) {
            // the thread ended while it was being read
            return 0;
        }
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
