package dev.recur.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import dev.recur.testinfra.ProcStat;

/**
 * CPU of the JIT compiler threads ({@code C1/C2 CompilerThread*}) and of the garbage collector's threads of this
 * JVM and of its child JVMs (the broker, s3proxy), from {@code /proc/<pid>/task/<tid>/stat} (Linux): whether a
 * benchmark phase measures compiled code or the compilation itself.
 */
final class JitCpu {

    private JitCpu() {}

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
        long millis = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                millis += ProcStat.read(task.resolve("stat"))
                        .filter(thread -> wanted(thread.name(), compiler))
                        .map(ProcStat::ownMillis)
                        .orElse(0L);
            }
        } catch (IOException | RuntimeException e) {
            // the process ended while it was being read
        }
        return millis;
    }

    /** Thread names as the kernel keeps them, cut to 15 characters; SerialGC runs in the VM Thread. */
    private static boolean wanted(String name, boolean compiler) {
        return compiler
                ? name.contains("CompilerThre")
                : name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread");
    }

    private static String commandLine(long pid) {
        try {
            return new String(
                            Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
