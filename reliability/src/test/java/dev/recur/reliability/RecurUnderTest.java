package dev.recur.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.recur.common.event.Topics;
import dev.recur.system.LocalRecur;
import dev.recur.testinfra.Infra;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Recur as the fault tests see it: the whole system ({@link LocalRecur}: real Kafka, PostgreSQL, S3 and the four
 * services as processes) in a data folder of its own under {@code target/reliability-data}, a local scraper and
 * callback receiver, one test user, and the views from outside that the tests count with (REST API, S3 listing,
 * topics, metrics).
 */
final class RecurUnderTest implements AutoCloseable {

    static final List<String> SERVICES = List.of("schedule-api", "ticker", "job-runner", "delivery");
    static final String USER = "reliability";
    static final String PASSWORD = "fault-injection-pass";
    static final ObjectMapper JSON = new ObjectMapper();

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static final Pattern OBJECT_NAME = Pattern.compile("(\\d+)\\.json");
    private static RecurUnderTest shared;

    private final LocalRecur recur;
    private final LocalPeer scraper = new LocalPeer();
    private final LocalPeer receiver = new LocalPeer();
    private final String auth =
            "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    private RecurUnderTest(String name, Map<String, String> overrides) {
        scraper.up();
        receiver.up();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("recur.job-runner.oxylabs.base-url", scraper.baseUrl());
        props.put("recur.job-runner.oxylabs.username", "scraper-user");
        props.put("recur.job-runner.oxylabs.password", "scraper-pass");
        props.put("recur.job-runner.retry.initial-backoff", "PT0.2S");
        // a restarted job-runner fences its predecessor's open transaction at once (as a StatefulSet pod would)
        props.put("recur.job-runner.instance-id", "job-runner-0");
        // a restarted delivery takes back at once the attempts its killed predecessor held (as a StatefulSet pod would)
        props.put("recur.delivery.instance-id", "delivery-0");
        // a killed consumer's partitions move on after 10 s instead of 45 s
        props.put("recur.job-runner.session-timeout", "PT10S");
        props.put("kafka.session.timeout.ms", "10000");
        // the ticker keeps Kafka's default session timeout (45 s; Kafka Streams would take kafka.* too), as a
        // deployment does: its static membership (LocalRecur gives it an instance id) is what brings a restarted
        // ticker back at once, and TickerLagIT measures that
        props.put("kafka-streams.session.timeout.ms", "45000");
        props.put("recur.delivery.callback.allowed-networks", "127.0.0.1/32");
        props.putAll(overrides);
        Path data = Path.of("target/reliability-data", name).toAbsolutePath();
        Infra.deleteRecursively(data);
        recur = new LocalRecur(LocalRecur.Options.forTests(repoDir(), data, props));
        long start = System.nanoTime();
        recur.start();
        System.out.printf(Locale.ROOT, "[reliability] %s: Recur started in %.1f s%n", name, seconds(start));
        addUser();
    }

    /**
     * The system the tests of the default build share (one start per test JVM): deliveries give up after 3 attempts
     * within 2 minutes, so that the dead-letter case shows in seconds.
     */
    static synchronized RecurUnderTest shared() {
        if (shared == null) {
            shared = start(
                    "shared",
                    Map.of(
                            "recur.delivery.retry.max-attempts", "3",
                            "recur.delivery.retry.initial-backoff", "PT1S",
                            "recur.delivery.retry.max-backoff", "PT2S",
                            "recur.delivery.retry.max-age", "PT2M"));
        }
        return shared;
    }

    /** Starts a system of its own in {@code target/reliability-data/<name>}; {@code overrides} win over the defaults. */
    static RecurUnderTest start(String name, Map<String, String> overrides) {
        RecurUnderTest started = new RecurUnderTest(name, overrides);
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "reliability-stop-" + name));
        return started;
    }

    LocalRecur recur() {
        return recur;
    }

    LocalPeer scraper() {
        return scraper;
    }

    LocalPeer receiver() {
        return receiver;
    }

    @Override
    public synchronized void close() {
        recur.close();
        scraper.close();
        receiver.close();
    }

    HttpResponse<String> api(String method, String path, String body, Duration timeout)
            throws IOException, InterruptedException {
        return api(recur.apiBaseUrl(), method, path, body, timeout);
    }

    /** An API call as the test user to one schedule-api instance, {@code baseUrl} (several run in ScaleOutIT). */
    HttpResponse<String> api(String baseUrl, String method, String path, String body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("Authorization", auth);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode get(String path) {
        return call("GET", path, null, 200);
    }

    /** Creates a schedule and returns its id; fails unless the API answers 201. */
    long createSchedule(String cron, String itemsJson, String endTime) {
        String body = "{\"cron\":\"" + cron + "\",\"items\":" + itemsJson + ",\"end_time\":\"" + endTime + "\"}";
        return call("POST", "/v1/schedules", body, 201).path("schedule_id").asLong();
    }

    /** The JSON answer of an API call; fails unless its status is {@code expectedStatus}. */
    JsonNode call(String method, String path, String body, int expectedStatus) {
        try {
            HttpResponse<String> r = api(method, path, body, Duration.ofSeconds(30));
            if (r.statusCode() != expectedStatus) {
                throw new AssertionError(method + " " + path + ": " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code count} items for the scraper stub, each with a callback to the receiver and an S3 destination. */
    String items(int count, String bucket, String prefix) {
        return itemsFor(count, receiver.callbackUrl(), "s3://" + bucket + "/" + prefix);
    }

    /** {@code count} items for the scraper stub with a callback and, unless {@code s3Url} is null, an S3 destination. */
    static String itemsFor(int count, String callbackUrl, String s3Url) {
        String storage = s3Url == null ? "" : ",\"storage_type\":\"s3\",\"storage_url\":\"" + s3Url + "\"";
        List<String> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add("{\"source\":\"amazon_product\",\"query\":\"item-" + i + "\",\"parse\":true,\"callback_url\":\""
                    + callbackUrl + "\"" + storage + "}");
        }
        return "[" + String.join(",", items) + "]";
    }

    long totalJobCount(long scheduleId) {
        return get("/v1/schedules/" + scheduleId)
                .path("stats")
                .path("total_job_count")
                .asLong();
    }

    /** Job ids of the objects {@code <prefix>/<job id>.json} in a bucket. */
    Set<Long> objectJobIds(String bucket, String prefix) {
        Set<Long> ids = new HashSet<>();
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = recur.s3()
                    .client()
                    .listObjectsV2(b -> b.bucket(bucket).prefix(prefix + "/").continuationToken(continuation));
            for (S3Object o : page.contents()) {
                // s3proxy lists an upload in progress under a temporary name beside the key
                Matcher name = OBJECT_NAME.matcher(o.key().substring(prefix.length() + 1));
                if (name.matches()) {
                    ids.add(Long.parseLong(name.group(1)));
                }
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return ids;
    }

    /** Every record of a topic up to its current end, read_committed. */
    List<ConsumerRecord<String, String>> readTopic(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, recur.kafka().bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot read " + topic + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    /** The due-runs of the given schedules committed on {@code recur.due-runs}, as JSON, in topic order. */
    List<JsonNode> dueRunsOf(Collection<Long> scheduleIds) {
        Set<String> keys = new HashSet<>();
        scheduleIds.forEach(id -> keys.add(Topics.key(id)));
        List<JsonNode> runs = new ArrayList<>();
        for (ConsumerRecord<String, String> record : readTopic(Topics.DUE_RUNS)) {
            if (keys.contains(record.key())) {
                try {
                    runs.add(JSON.readTree(record.value()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return runs;
    }

    /** The value of a Prometheus sample of a service's {@code /q/metrics} (management port), 0 when absent. */
    double metric(String service, String name, String label) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(recur.service(service).managementUrl() + "/q/metrics"))
                .timeout(Duration.ofSeconds(30))
                .build();
        String body = HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** HTTP status of a service's readiness check (management port), or -1 when it does not answer. */
    int readiness(String service) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(recur.service(service).managementUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private void addUser() {
        addUser(USER, PASSWORD);
    }

    /** Adds a user (another tenant) through the admin API. */
    void addUser(String user, String password) {
        String body = "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
        String admin = "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                (LocalRecur.ADMIN_USER + ":" + recur.adminPassword()).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(recur.apiBaseUrl() + "/v1/admin/users"))
                .header("Authorization", admin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("cannot add user: " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The repository whose services' {@code target/quarkus-app} are run. */
    private static Path repoDir() {
        return Path.of(System.getProperty("recur.repo.dir", ".."))
                .toAbsolutePath()
                .normalize();
    }
}
