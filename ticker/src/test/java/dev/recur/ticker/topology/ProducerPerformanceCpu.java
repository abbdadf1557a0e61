package dev.recur.ticker.topology;

import java.lang.management.ManagementFactory;

import org.apache.kafka.tools.ProducerPerformance;

/**
 * {@code kafka-producer-perf-test} as a child JVM of the fan-out benchmark, printing the CPU time the run took
 * (without the JVM's start-up) so that the baseline is judged by CPU per record like the ticker. Public because the
 * child JVM's launcher calls its {@code main} by reflection.
 */
public final class ProducerPerformanceCpu {

    private ProducerPerformanceCpu() {}

    public static void main(String[] args) throws Exception {
        long before = cpuNanos();
        ProducerPerformance.main(args);
        System.out.printf("producer-perf-test process CPU: %d ms%n", (cpuNanos() - before) / 1_000_000);
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
