package dev.recur.scheduleapi;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import dev.recur.testinfra.ProcStat;

/**
 * CPU time of every process a benchmark phase involves, so that a phase is judged by CPU per request rather
 * than by a wall-clock rate that other work on the shared machine distorts: the service (this JVM minus the
 * load generator's thread), the load generator, PostgreSQL (postmaster and its backends, found by port) and
 * the child JVMs of the test infrastructure (Kafka broker, s3proxy).
 */
final class CpuMeter {

    record Sample(long jvmNanos, long generatorNanos, long postgresNanos, long childJvmNanos, long jitNanos) {}

    /** {@code jitMs}: the part of {@code serviceMs} that the JIT compiler threads of this JVM used. */
    record Usage(double serviceMs, double generatorMs, double postgresMs, double childJvmMs, double jitMs) {

        String perRequest(long requests) {
            if (requests == 0) {
                return "no requests";
            }
            return String.format(
                    "CPU per request: service %.3f ms (of which JIT compiler %.3f ms), postgres %.3f ms,"
                            + " kafka+s3 JVMs %.3f ms, load generator %.3f ms (total %.3f ms over the phase)",
                    serviceMs / requests,
                    jitMs / requests,
                    postgresMs / requests,
                    childJvmMs / requests,
                    generatorMs / requests,
                    (serviceMs + postgresMs + childJvmMs + generatorMs) / requests);
        }
    }

    private final int postgresPort;
    private final LongSupplier generatorNanos;
    // CPU of each JIT compiler thread (by thread id) at its last reading
    private final Map<String, Long> jitThreadNanos = new HashMap<>();

    CpuMeter(int postgresPort, LongSupplier generatorNanos) {
        this.postgresPort = postgresPort;
        this.generatorNanos = generatorNanos;
    }

    Sample sample() {
        long jvm = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        long postgres = 0;
        long children = 0;
        long postmaster = postmasterPid();
        for (long pid : allPids()) {
            if (pid == postmaster || parentOf(pid) == postmaster) {
                postgres += cpuNanos(pid);
            }
        }
        for (ProcessHandle child : ProcessHandle.current().descendants().toList()) {
            children += cpuNanos(child.pid());
        }
        return new Sample(jvm, generatorNanos.getAsLong(), postgres, children, jitNanos());
    }

    static Usage between(Sample before, Sample after) {
        double generator = (after.generatorNanos() - before.generatorNanos()) / 1e6;
        return new Usage(
                (after.jvmNanos() - before.jvmNanos()) / 1e6 - generator,
                generator,
                (after.postgresNanos() - before.postgresNanos()) / 1e6,
                (after.childJvmNanos() - before.childJvmNanos()) / 1e6,
                (after.jitNanos() - before.jitNanos()) / 1e6);
    }

    /**
     * CPU of this JVM's JIT compiler threads ("C1/C2 CompilerThreadN", which ThreadMXBean does not list): on a
     * loaded machine the compiler is still busy well after the warm-up, and its CPU is not the requests' cost.
     * The JVM ends idle compiler threads and starts new ones: each thread's last reading is kept.
     */
    private long jitNanos() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue; // the thread ended
                }
                if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                    jitThreadNanos.merge(task.getFileName().toString(), taskCpuNanos(task), Math::max);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc/self/task", e);
        }
        return jitThreadNanos.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long taskCpuNanos(Path task) {
        return ProcStat.read(task.resolve("stat")).map(ProcStat::ownMillis).orElse(0L) * 1_000_000;
    }

    private long postmasterPid() {
        String port = "-p\0" + postgresPort + "\0";
        for (long pid : allPids()) {
            String cmdline = read(pid, "cmdline");
            if (cmdline.contains("bin/postgres\0") && cmdline.contains(port)) {
                return pid;
            }
        }
        return -1;
    }

    private static List<Long> allPids() {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .forEach(name -> pids.add(Long.parseLong(name)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return pids;
    }

    private static long parentOf(long pid) {
        return ProcStat.ofProcess(pid).map(ProcStat::parentPid).orElse(-1L);
    }

    /** utime + stime + cutime + cstime: the process and its children that have ended. */
    private static long cpuNanos(long pid) {
        return ProcStat.ofProcess(pid).map(ProcStat::withChildrenMillis).orElse(0L) * 1_000_000;
    }

    private static String read(long pid, String file) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the process ended between listing and reading
            return "";
        }
    }
}
