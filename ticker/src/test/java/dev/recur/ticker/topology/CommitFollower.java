package dev.recur.ticker.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Follows the last stable offsets of a topic's partitions (what a {@code read_committed} consumer may read up to)
 * every few milliseconds, so that the fan-out benchmark can tell afterwards when a given record became visible
 * without a consumer in the ticker's JVM decompressing and scanning every record while the tick runs: that reader
 * took a core's share from the ticker in the very seconds measured. Which records to wait for is found afterwards
 * by reading the topic (see {@link #visibleAt}).
 */
final class CommitFollower implements AutoCloseable {

    static final String CLIENT_ID = "bench-commit-follower";
    static final String THREAD_NAME = "bench-commit-follower";

    /** One look: when the answer came back, and each partition's last stable offset. */
    record Sample(long nanos, long[] stable) {}

    private final Admin admin;
    private final List<TopicPartition> partitions;
    private final ScheduledExecutorService sampler =
            Executors.newSingleThreadScheduledExecutor(task -> new Thread(task, THREAD_NAME));
    private final List<Sample> samples = new ArrayList<>();
    private volatile RuntimeException failure;

    CommitFollower(String bootstrapServers, String topic, int partitionCount, long periodMillis) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, CLIENT_ID);
        this.admin = Admin.create(props);
        this.partitions = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        sampler.scheduleAtFixedRate(this::sample, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    private void sample() {
        long[] stable;
        try {
            stable = offsets(OffsetSpec.latest(), IsolationLevel.READ_COMMITTED);
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: keep the cause for the benchmark to report
            failure = e;
            throw e;
        }
        long nanos = System.nanoTime();
        synchronized (samples) {
            samples.add(new Sample(nanos, stable));
        }
    }

    /** Each partition's end offset (records and markers written so far, committed or not). */
    long[] ends() {
        return offsets(OffsetSpec.latest(), IsolationLevel.READ_UNCOMMITTED);
    }

    /** The latest look, or null before the first. */
    Sample latest() {
        if (failure != null) {
            throw new IllegalStateException("the commit follower stopped", failure);
        }
        synchronized (samples) {
            return samples.isEmpty() ? null : samples.get(samples.size() - 1);
        }
    }

    /**
     * When every record at or below {@code lastOffsets} (per partition; -1 for none) was first seen below the last
     * stable offset, looking from {@code fromNanos} on; -1 if never.
     */
    long visibleAt(long[] lastOffsets, long fromNanos) {
        synchronized (samples) {
            for (Sample sample : samples) {
                if (sample.nanos() < fromNanos) {
                    continue;
                }
                boolean all = true;
                for (int p = 0; p < lastOffsets.length && all; p++) {
                    all = sample.stable()[p] > lastOffsets[p];
                }
                if (all) {
                    return sample.nanos();
                }
            }
            return -1;
        }
    }

    /** Looks taken from {@code fromNanos} on, and the mean time between them in milliseconds. */
    String describe(long fromNanos) {
        synchronized (samples) {
            List<Sample> taken =
                    samples.stream().filter(s -> s.nanos() >= fromNanos).toList();
            double gapMillis = taken.size() < 2
                    ? 0
                    : (taken.get(taken.size() - 1).nanos() - taken.get(0).nanos()) / 1e6 / (taken.size() - 1);
            return String.format("%d looks at the last stable offsets, one per %.1f ms", taken.size(), gapMillis);
        }
    }

    private long[] offsets(OffsetSpec spec, IsolationLevel isolation) {
        try {
            var answer = admin.listOffsets(
                            partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> spec)),
                            new ListOffsetsOptions(isolation))
                    .all()
                    .get();
            long[] offsets = new long[partitions.size()];
            answer.forEach((partition, info) -> offsets[partition.partition()] = info.offset());
            return offsets;
        } catch (Exception e) {
            throw new IllegalStateException("cannot list the offsets of " + partitions, e);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close();
    }
}
