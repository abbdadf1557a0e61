package dev.recur.ticker.topology;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.recur.testinfra.ChildJvm;
import dev.recur.testinfra.EmbeddedKafkaBroker;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.KafkaBroker;
import dev.recur.testinfra.ProcStat;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.tools.ProducerPerformance;

/** What the ticker's benchmarks share: clients of the test broker, new topics that are writable, CPU and load. */
final class Bench {

    static final int PARTITIONS = 6;
    private static final Pattern PERF_SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency");
    private static final byte[] SCHEDULED_FOR = "\"scheduled_for\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern PERF_CPU = Pattern.compile("producer-perf-test process CPU: (\\d+) ms");

    private static final Instant FIRST_BOUNDARY = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);

    private Bench() {}

    static KafkaBroker broker() {
        return Infra.kafka();
    }

    /**
     * The minute at which a fan-out test releases the ticker's clock (it stands still before it, while the
     * schedules load): the last real minute boundary, so that the due-runs' record timestamps are the broker's time
     * give or take minutes. The broker's time retention (7 days) goes by record timestamps: with a clock 9 days back,
     * the broker stamped the first commit marker of each partition with its own time, which rolled the segment
     * after the first transaction, and the next retention check deleted that whole transaction of committed runs.
     */
    static Instant firstBoundary() {
        return FIRST_BOUNDARY;
    }

    /** The offset of the first record each partition of a topic still holds (0 unless the broker deleted some). */
    static long[] logStartOffsets(String topic) {
        try (Admin admin = broker().admin()) {
            Map<TopicPartition, OffsetSpec> earliest = new java.util.HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                earliest.put(new TopicPartition(topic, p), OffsetSpec.earliest());
            }
            var offsets = admin.listOffsets(earliest).all().get();
            long[] starts = new long[PARTITIONS];
            offsets.forEach((tp, info) -> starts[tp.partition()] = info.offset());
            return starts;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the log start offsets of " + topic, e);
        }
    }

    /**
     * Creates a topic and waits until each partition has taken a record. Right after creation the broker may still
     * answer a produce with NOT_LEADER_OR_FOLLOWER; an idempotent, non-transactional producer whose first batch
     * (sequence 0) to a partition fails so while its next batch is appended then retries sequence 0 for ever with
     * OUT_OF_ORDER_SEQUENCE_NUMBER (KAFKA-14359) until delivery.timeout.ms (2 minutes) fails the batch: a stalled
     * baseline and lost records. The probe is not idempotent, so it simply retries; it is only for topics that nobody
     * reads as events.
     */
    static void createWritableTopic(String topic) {
        broker().createTopic(topic, PARTITIONS, Map.of());
        try (KafkaProducer<String, byte[]> probe = producer(false)) {
            for (int partition = 0; partition < PARTITIONS; partition++) {
                probe.send(new ProducerRecord<>(topic, partition, "probe", new byte[] {0}))
                        .get(2, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            throw new IllegalStateException("topic " + topic + " did not become writable", e);
        }
    }

    /** A plain producer; {@code ackedByAll} as the ticker's producer, else a fast loader without idempotence. */
    static KafkaProducer<String, byte[]> producer(boolean ackedByAll) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 262_144);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.ACKS_CONFIG, ackedByAll ? "all" : "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, ackedByAll);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * A producer that loads snapshots fast: large batches, a longer linger, no idempotence (see
     * {@link #createWritableTopic}), acks from the leader only.
     */
    static KafkaProducer<String, byte[]> loader() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 50);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * The {@code scheduled_for} of a due-run's JSON, found without parsing the rest: the reader runs in the
     * ticker's JVM, and parsing every run with Jackson took CPU from the ticker in the very seconds measured.
     */
    static String scheduledFor(byte[] json) {
        int at = indexOf(json, SCHEDULED_FOR);
        if (at < 0) {
            throw new IllegalArgumentException("not a due-run: " + new String(json, StandardCharsets.UTF_8));
        }
        int start = at + SCHEDULED_FOR.length;
        int end = start;
        while (json[end] != '"') {
            end++;
        }
        return new String(json, start, end - start, StandardCharsets.US_ASCII);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static KafkaConsumer<String, byte[]> committedReader(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        KafkaConsumer<String, byte[]> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** The ticker's Streams settings as {@code application.properties} configures the service. */
    static Properties streamsProps(String applicationId, Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.getInteger("ticker.benchmark.threads", 2));
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 30_000);
        props.put(
                StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG),
                System.getProperty("ticker.benchmark.compression", "lz4"));
        props.put(
                StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG),
                Integer.getInteger("ticker.benchmark.linger", 100));
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 262_144);
        props.put(StreamsConfig.POLL_MS_CONFIG, Integer.getInteger("ticker.benchmark.poll", 25));
        return props;
    }

    /** True once the application's consumer group has committed the whole of {@code topic}. */
    static boolean consumed(String applicationId, String topic) throws Exception {
        try (Admin admin = broker().admin()) {
            var committed = admin.listConsumerGroupOffsets(applicationId)
                    .partitionsToOffsetAndMetadata()
                    .get();
            var ends = endOffsets(
                    admin,
                    committed.keySet().stream()
                            .filter(tp -> tp.topic().equals(topic))
                            .toList());
            // exactly-once leaves a commit marker after the last record: committed is end offset at most
            return ends.size() == PARTITIONS
                    && ends.entrySet().stream()
                            .allMatch(e -> committed.get(e.getKey()).offset() >= e.getValue() - 1);
        }
    }

    /** Sum of the end offsets of a topic's partitions: records plus transaction markers written to it. */
    static long endOffsets(String topic) {
        try (Admin admin = broker().admin()) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            return endOffsets(admin, partitions).values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
    }

    /** The end offset of one partition of a topic. */
    static long endOffset(String topic, int partition) {
        try (Admin admin = broker().admin()) {
            return endOffsets(admin, List.of(new TopicPartition(topic, partition)))
                    .values()
                    .iterator()
                    .next();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offset of " + topic + "-" + partition, e);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<TopicPartition> partitions)
            throws Exception {
        return admin
                .listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all()
                .get()
                .entrySet()
                .stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** Bytes of a topic's partitions on the broker's disk. */
    static long logBytes(String topic) {
        try (Admin admin = broker().admin()) {
            return admin.describeLogDirs(List.of(1)).allDescriptions().get().values().stream()
                    .flatMap(dirs -> dirs.values().stream())
                    .flatMap(dir -> dir.replicaInfos().entrySet().stream())
                    .filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(e -> e.getValue().size())
                    .sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the log size of " + topic, e);
        }
    }

    /**
     * CPU time of the Streams threads (stream threads and their producers' I/O threads), of this whole JVM without
     * the benchmark's own threads (the calling thread and the commit follower), of its JIT compiler and GC threads
     * (part of the JVM figure: they show whether the code measured was still being compiled), of the benchmark's
     * threads, and of the broker's JVM.
     */
    record Cpu(long streamsNanos, long jvmNanos, long jitNanos, long gcNanos, long benchNanos, long brokerNanos) {

        static Cpu now() {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long streams = 0;
            long bench = threads.getCurrentThreadCpuTime();
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long cpu = Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
                if (info.getThreadName().contains("StreamThread")) {
                    streams += cpu;
                } else if (info.getThreadName().contains(CommitFollower.THREAD_NAME)
                        || info.getThreadName().contains(CommitFollower.CLIENT_ID)) {
                    bench += cpu;
                }
            }
            long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            long[] jitAndGc = nativeThreadsCpu();
            return new Cpu(streams, process - bench, jitAndGc[0], jitAndGc[1], bench, brokerCpuNanos());
        }

        /** CPU of the JVM's JIT compiler threads and of its GC threads, from {@code /proc/self/task}. */
        private static long[] nativeThreadsCpu() {
            long[] jitAndGc = new long[2];
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : tasks.toList()) {
                    String stat;
                    try {
                        stat = Files.readString(task.resolve("stat"));
                    } catch (IOException e) {
                        // the thread ended in between
                        continue;
                    }
                    ProcStat thread = ProcStat.parse(stat);
                    String name = thread.name();
                    int kind = name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")
                            ? 0
                            : name.startsWith("GC Thread") || name.startsWith("G1 ") ? 1 : -1;
                    if (kind >= 0) {
                        jitAndGc[kind] += thread.ownMillis() * 1_000_000;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return jitAndGc;
        }

        String perRun(Cpu before, long runs) {
            return String.format(
                    "CPU per due-run: Streams threads %.1f µs; ticker JVM without the benchmark's "
                            + "threads %.1f µs (of which JIT %.1f µs, GC %.1f µs); broker %.1f µs; benchmark's threads %.1f µs "
                            + "(totals: Streams %.2f s, JVM %.2f s, JIT %.2f s, GC %.2f s, broker %.2f s, benchmark %.2f s)",
                    micros(streamsNanos - before.streamsNanos, runs),
                    micros(jvmNanos - before.jvmNanos, runs),
                    micros(jitNanos - before.jitNanos, runs),
                    micros(gcNanos - before.gcNanos, runs),
                    micros(brokerNanos - before.brokerNanos, runs),
                    micros(benchNanos - before.benchNanos, runs),
                    (streamsNanos - before.streamsNanos) / 1e9,
                    (jvmNanos - before.jvmNanos) / 1e9,
                    (jitNanos - before.jitNanos) / 1e9,
                    (gcNanos - before.gcNanos) / 1e9,
                    (brokerNanos - before.brokerNanos) / 1e9,
                    (benchNanos - before.benchNanos) / 1e9);
        }

        /** Ticker JVM and broker CPU per run, in microseconds. */
        double totalPerRun(Cpu before, long runs) {
            return micros(jvmNanos - before.jvmNanos + brokerNanos - before.brokerNanos, runs);
        }

        private static double micros(long nanos, long runs) {
            return nanos / 1e3 / runs;
        }
    }

    private static long cpuOfStat(String stat) {
        return ProcStat.parse(stat).ownMillis() * 1_000_000;
    }

    static long brokerCpuNanos() {
        if (!(broker() instanceof EmbeddedKafkaBroker embedded)) {
            return 0;
        }
        try {
            return cpuOfStat(Files.readString(Path.of("/proc", Long.toString(embedded.pid()), "stat")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The load averages, printed with every figure since the machine is shared. */
    static String load() {
        try {
            String[] avg = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load average " + avg[0] + ", " + avg[1] + ", " + avg[2];
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    /**
     * The ticker's lateness timer's p99 in seconds, as Prometheus would estimate it from the buckets: the upper
     * bound of the first bucket that holds 99 % of the runs. The bucket counts cover the timer's decaying window
     * (about the last two minutes), not everything since the start, so the total is the largest cumulative count.
     */
    static double latenessP99(io.micrometer.core.instrument.MeterRegistry registry) {
        var buckets = registry.get("recur.ticker.publish.lateness")
                .timer()
                .takeSnapshot()
                .histogramCounts();
        double total = Arrays.stream(buckets)
                .mapToDouble(bucket -> bucket.count())
                .max()
                .orElse(0);
        for (var bucket : buckets) {
            if (bucket.count() >= 0.99 * total) {
                return bucket.bucket(TimeUnit.SECONDS);
            }
        }
        return Double.NaN;
    }

    static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    static long sizeOf(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> file.toFile().length())
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What one {@code kafka-producer-perf-test} run printed. */
    record PerfResult(long records, double recordsPerSecond, double avgLatencyMs, long cpuMs, long brokerCpuMs) {

        /** Producer and broker CPU per record, in microseconds. */
        double cpuPerRecordMicros() {
            return (cpuMs + brokerCpuMs) * 1e3 / records;
        }

        String describe() {
            return String.format(
                    "%,d records, %,.0f rec/s, avg latency %.0f ms; CPU per record: producer %.1f µs, "
                            + "broker %.1f µs",
                    records, recordsPerSecond, avgLatencyMs, cpuMs * 1e3 / records, brokerCpuMs * 1e3 / records);
        }
    }

    /**
     * Runs {@code org.apache.kafka.tools.ProducerPerformance} (what {@code kafka-producer-perf-test.sh} runs) in a
     * child JVM on the broker's classpath, sending {@code records} payloads taken at random from
     * {@code payloadFile} (one per line) with the producer settings of the ticker.
     */
    static PerfResult producerPerformance(String topic, int records, Path payloadFile, String transactionalId) {
        List<String> args = new ArrayList<>(List.of(
                "--topic",
                topic,
                "--num-records",
                Integer.toString(records),
                "--payload-file",
                payloadFile.toString(),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + broker().bootstrapServers(),
                "acks=all",
                "compression.type=lz4",
                "linger.ms=5",
                "batch.size=262144"));
        if (transactionalId != null) {
            // a transaction per 100 ms, as Streams commits exactly-once work by default
            args.addAll(List.of("--transactional-id", transactionalId, "--transaction-duration-ms", "100"));
        }
        List<String> classpath = new ArrayList<>(ChildJvm.classpathResource("kafka.classpath"));
        classpath.add(codeLocation(ProducerPerformance.class));
        classpath.add(codeLocation(ProducerPerformanceCpu.class));
        Path log = Path.of("target", "producer-perf-" + topic + ".log");
        long brokerBefore = brokerCpuNanos();
        ChildJvm perf = ChildJvm.start(
                "producer-perf-test",
                classpath,
                List.of("-Xmx512m"),
                ProducerPerformanceCpu.class.getName(),
                args,
                log);
        try {
            await().atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !perf.isAlive());
        } finally {
            perf.stop(5);
        }
        long brokerMs = (brokerCpuNanos() - brokerBefore) / 1_000_000;
        String out = ChildJvm.tail(log, 20);
        // the summary is the last of the lines it prints every five seconds
        MatchResult summary = PERF_SUMMARY
                .matcher(out)
                .results()
                .reduce((first, second) -> second)
                .orElse(null);
        Matcher cpu = PERF_CPU.matcher(out);
        if (summary == null || !cpu.find()) {
            throw new IllegalStateException("kafka-producer-perf-test printed no summary:\n" + out);
        }
        return new PerfResult(
                Long.parseLong(summary.group(1)),
                Double.parseDouble(summary.group(2)),
                Double.parseDouble(summary.group(4)),
                Long.parseLong(cpu.group(1)),
                brokerMs);
    }

    private static String codeLocation(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
