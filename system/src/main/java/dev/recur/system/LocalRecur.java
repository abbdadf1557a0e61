package dev.recur.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.recur.testinfra.EmbeddedKafkaBroker;
import dev.recur.testinfra.EmbeddedPostgresServer;
import dev.recur.testinfra.EmbeddedS3Server;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.RecurTopics;
import dev.recur.testinfra.S3Server;
import dev.recur.testinfra.gcs.GcsEmulator;

/**
 * The whole of Recur on one machine with only a JDK: a real Kafka broker, PostgreSQL and S3-compatible server
 * from Maven artifacts, Recur's topics, databases and results bucket, then the four services as separate
 * processes wired to them. Data stays under one folder between runs. Used by {@code ./recur-local} and by the
 * end-to-end tests.
 */
public final class LocalRecur implements AutoCloseable {

    /**
     * Ports and folders; a port of 0 means any free port (tests), a negative {@code gcsPort} no GCS emulator
     * (it needs Node.js and a JDK 21+, which a machine with only a JDK 17 does not have); {@code securedKafka} a
     * broker whose only client listener is SASL_SSL, which the services reach with SCRAM over TLS.
     */
    public record Options(
            Path repoDir,
            Path dataDir,
            int apiPort,
            int tickerPort,
            int jobRunnerPort,
            int deliveryPort,
            int kafkaPort,
            int postgresPort,
            int s3Port,
            int gcsPort,
            boolean durable,
            boolean securedKafka,
            Map<String, String> extraProperties) {

        public static final int NO_GCS = -1;

        public static Options defaults(Path repoDir, Path dataDir, boolean gcs) {
            return new Options(
                    repoDir,
                    dataDir,
                    8080,
                    8081,
                    8082,
                    8083,
                    19092,
                    15432,
                    19000,
                    gcs ? 19199 : NO_GCS,
                    true,
                    false,
                    Map.of());
        }

        public Options withSecuredKafka() {
            return new Options(
                    repoDir,
                    dataDir,
                    apiPort,
                    tickerPort,
                    jobRunnerPort,
                    deliveryPort,
                    kafkaPort,
                    postgresPort,
                    s3Port,
                    gcsPort,
                    durable,
                    true,
                    extraProperties);
        }

        /**
         * Free ports everywhere, data that need not survive a machine crash, no GCS emulator of its own (tests
         * share {@link GcsEmulator#shared()} and pass its host in {@code extraProperties}).
         */
        public static Options forTests(Path repoDir, Path dataDir, Map<String, String> extraProperties) {
            return new Options(repoDir, dataDir, 0, 0, 0, 0, 0, 0, 0, NO_GCS, false, false, extraProperties);
        }
    }

    public static final String RESULTS_BUCKET = "recur-results";
    /**
     * A service on a fixed HTTP port has its management interface (health, metrics) this much higher, as the services'
     * own defaults have it ({@code MANAGEMENT_PORT}: 9080 for schedule-api's 8080, and so on); one on a free HTTP port
     * (tests) gets another free port for it.
     */
    public static final int MANAGEMENT_PORT_OFFSET = 1000;

    public static final String ADMIN_USER = "admin";

    private final Options options;
    private final EmbeddedPostgresServer postgres;
    private final EmbeddedKafkaBroker kafka;
    private final EmbeddedS3Server s3;
    private final GcsEmulator gcs;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private String adminPassword;
    private String callbackSealSecrets;
    private List<String> serviceJvmOptions = ServiceProcess.LOCAL_JVM_OPTIONS;

    public LocalRecur(Options options) {
        this.options = options;
        Path data = options.dataDir().toAbsolutePath();
        this.postgres = new EmbeddedPostgresServer(data.resolve("postgres"), options.postgresPort(), options.durable());
        this.kafka = options.securedKafka()
                ? EmbeddedKafkaBroker.secured(data.resolve("kafka"), options.kafkaPort())
                : new EmbeddedKafkaBroker(data.resolve("kafka"), options.kafkaPort());
        this.s3 = new EmbeddedS3Server(data.resolve("s3"), options.s3Port());
        this.gcs = options.gcsPort() < 0 ? null : new GcsEmulator(data.resolve("gcs"), options.gcsPort());
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(System.getProperty("recur.repo.dir", "."))
                .toAbsolutePath()
                .normalize();
        Path data = repo.resolve(".recur");
        boolean reset = false;
        boolean gcs = false;
        boolean securedKafka = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reset" -> reset = true;
                case "--gcs" -> gcs = true;
                case "--secured-kafka" -> securedKafka = true;
                case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
                case "-h", "--help" -> {
                    System.out.println("usage: ./recur-local [--reset] [--gcs] [--secured-kafka] [--data DIR]");
                    System.out.println("  --gcs  also start a GCS emulator (Firebase Storage emulator; needs Node.js"
                            + " and a JDK 21+; installs firebase-tools from npm on first use)");
                    System.out.println("  --secured-kafka  Kafka with a SASL_SSL listener only (SCRAM-SHA-512, a CA"
                            + " made on first start); with --reset when the data folder has a plaintext broker's");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (try --help)");
            }
        }
        if (reset) {
            Infra.deleteRecursively(data);
        }
        Options options = Options.defaults(repo, data, gcs);
        LocalRecur recur = new LocalRecur(securedKafka ? options.withSecuredKafka() : options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("\nStopping Recur...");
                            recur.close();
                            stopped.countDown();
                        },
                        "recur-local-stop"));
        long start = System.nanoTime();
        recur.start();
        System.out.printf(Locale.ROOT, "%nRecur is running (started in %.1f s).%n", (System.nanoTime() - start) / 1e9);
        System.out.println("  API base URL:  " + recur.apiBaseUrl() + "/v1");
        System.out.println("  Credentials:   " + ADMIN_USER + " / " + recur.adminPassword() + "   (HTTP Basic; kept in "
                + data.resolve("admin-password") + ")");
        System.out.println("  Swagger UI:    " + recur.apiBaseUrl() + "/q/swagger-ui");
        System.out.println("  Health:        /q/health/ready and Prometheus metrics at /q/metrics, on each service's"
                + " management port:");
        recur.services
                .values()
                .forEach(s -> System.out.printf(
                        Locale.ROOT, "                 %-13s %s/q/health/ready%n", s.name(), s.managementUrl()));
        System.out.println("  Kafka:         " + recur.kafka.bootstrapServers()
                + (recur.kafka.isSecured()
                        ? " (SASL_SSL only: " + EmbeddedKafkaBroker.SASL_MECHANISM + " user "
                                + EmbeddedKafkaBroker.CLIENT_USER
                                + " / " + recur.kafka.password(EmbeddedKafkaBroker.CLIENT_USER) + ", trust store "
                                + recur.kafka.clientProperties().get("ssl.truststore.location") + ")"
                        : ""));
        System.out.println("  PostgreSQL:    " + recur.postgres.jdbcUrl("recur_api") + " (user postgres)");
        System.out.println("  S3:            " + recur.s3.endpoint() + " (key " + recur.s3.accessKey() + ", secret "
                + recur.s3.secretKey() + ", bucket " + RESULTS_BUCKET + ")");
        System.out.println("  GCS:           "
                + (recur.gcs == null
                        ? "no emulator (./recur-local --gcs starts one); items with storage_type gcs go to real GCS"
                        : recur.gcs.host() + " (Firebase Storage emulator, project " + recur.gcs.projectId()
                                + "; any bucket name works)"));
        System.out.println("  Logs and data: " + data);
        System.out.println("Press Ctrl-C to stop everything.");
        stopped.await();
    }

    public synchronized void start() {
        startInfrastructure();
        startServices(Map.of());
    }

    /**
     * PostgreSQL, Kafka, S3 and the GCS emulator if the options ask for one, at once (each is its own process),
     * with Recur's databases, topics and bucket.
     */
    public synchronized void startInfrastructure() {
        adminPassword = adminPassword(options.dataDir());
        callbackSealSecrets = callbackSealSecrets(options.dataDir());
        List<Runnable> steps = new ArrayList<>(List.of(
                () -> timed("PostgreSQL", () -> {
                    postgres.start();
                    postgres.createDatabase("recur_api");
                    postgres.createDatabase("recur_delivery");
                }),
                () -> timed("Kafka", () -> {
                    kafka.start();
                    RecurTopics.create(kafka);
                }),
                () -> timed("S3", () -> {
                    s3.start();
                    s3.createBucket(RESULTS_BUCKET);
                })));
        if (gcs != null) {
            steps.add(() -> timed("GCS emulator", gcs::start));
        }
        inParallel(steps.toArray(Runnable[]::new));
    }

    /**
     * The four services, wired to the infrastructure, with {@code extraProperties} on top of the options' own
     * (for what is known only once the infrastructure runs); returns when every one is ready.
     */
    public synchronized void startServices(Map<String, String> extraProperties) {
        defineServices(extraProperties);
        timed("services", () -> {
            services.values().forEach(ServiceProcess::start);
            inParallel(services.values().stream()
                    .map(s -> (Runnable) () -> s.awaitReady(Duration.ofSeconds(180)))
                    .toArray(Runnable[]::new));
        });
    }

    /** The services' JVM flags (the local run's by default), for {@link #startServices} to come. */
    public synchronized void serviceJvmOptions(List<String> options) {
        serviceJvmOptions = List.copyOf(options);
    }

    public String apiBaseUrl() {
        return services.get("schedule-api").baseUrl();
    }

    public String adminPassword() {
        return adminPassword;
    }

    public ServiceProcess service(String name) {
        return services.get(name);
    }

    public EmbeddedKafkaBroker kafka() {
        return kafka;
    }

    public EmbeddedPostgresServer postgres() {
        return postgres;
    }

    public S3Server s3() {
        return s3;
    }

    /** Stops the services first (they flush to the infrastructure), then the infrastructure. */
    @Override
    public synchronized void close() {
        List<ServiceProcess> reversed = new ArrayList<>(services.values());
        java.util.Collections.reverse(reversed);
        reversed.forEach(ServiceProcess::stop);
        if (gcs != null) {
            gcs.stop();
        }
        s3.stop();
        kafka.stop();
        postgres.stop();
    }

    private void defineServices(Map<String, String> extraProperties) {
        if (!services.isEmpty()) {
            return;
        }
        Path data = options.dataDir().toAbsolutePath();
        Map<String, String> common = new LinkedHashMap<>(kafkaSettings());
        common.put("quarkus.s3.endpoint-override", s3.endpoint());
        common.put("quarkus.s3.path-style-access", "true");
        common.put("quarkus.s3.aws.region", S3Server.REGION);
        common.put("quarkus.s3.aws.credentials.type", "static");
        common.put("quarkus.s3.aws.credentials.static-provider.access-key-id", s3.accessKey());
        common.put("quarkus.s3.aws.credentials.static-provider.secret-access-key", s3.secretKey());
        common.put("recur.results.bucket", RESULTS_BUCKET);

        Map<String, String> api = new LinkedHashMap<>(common);
        database(api, "recur_api");
        api.put("recur.schedule-api.admin-user", ADMIN_USER);
        api.put("recur.schedule-api.admin-password", adminPassword);

        Map<String, String> ticker = new LinkedHashMap<>(common);
        ticker.put("quarkus.kafka-streams.bootstrap-servers", kafka.bootstrapServers());
        ticker.put("kafka-streams.state.dir", data.resolve("ticker-state").toString());
        // static membership: a restarted ticker takes its tasks back at once (one instance: nothing to stand by)
        ticker.put("kafka-streams.group.instance.id", "ticker-0");
        ticker.put("kafka-streams.num.standby.replicas", "0");

        Map<String, String> delivery = new LinkedHashMap<>(common);
        database(delivery, "recur_delivery");
        if (gcs != null) {
            delivery.put("recur.delivery.gcs.host", gcs.host());
            delivery.put("recur.delivery.gcs.project-id", gcs.projectId());
        }

        add("schedule-api", options.apiPort(), api, extraProperties);
        add("ticker", options.tickerPort(), ticker, extraProperties);
        // only the two services that seal and open callback URLs get the key (a 0600 file, like every secret)
        Map<String, String> jobRunner = new LinkedHashMap<>(common);
        jobRunner.put("recur.callback-seal.secrets", callbackSealSecrets);
        delivery.put("recur.callback-seal.secrets", callbackSealSecrets);

        add("job-runner", options.jobRunnerPort(), jobRunner, extraProperties);
        add("delivery", options.deliveryPort(), delivery, extraProperties);
    }

    /**
     * The services' Kafka settings, as Quarkus' {@code kafka.*} keys: the one place every Kafka client of a service
     * (SmallRye channels, Kafka Streams, the clients built by hand) takes its configuration from.
     */
    public Map<String, String> kafkaSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        kafka.clientProperties().forEach((key, value) -> settings.put("kafka." + key, value));
        return settings;
    }

    private void database(Map<String, String> props, String database) {
        props.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
        props.put("quarkus.datasource.username", postgres.username());
        props.put("quarkus.datasource.password", postgres.password());
        // a busy machine (a laptop, a shared CI runner) can take longer than the pool's default 5 s to open a
        // connection while everything starts at once; a service would then fail its start-up migration
        props.put("quarkus.datasource.jdbc.acquisition-timeout", "PT30S");
    }

    private void add(String module, int port, Map<String, String> props, Map<String, String> extraProperties) {
        props.putAll(options.extraProperties());
        props.putAll(extraProperties);
        Path jar = options.repoDir().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        int actualPort = port == 0 ? dev.recur.testinfra.Ports.free() : port;
        int managementPort = port == 0 ? dev.recur.testinfra.Ports.free() : port + MANAGEMENT_PORT_OFFSET;
        services.put(
                module,
                new ServiceProcess(
                                module,
                                jar,
                                actualPort,
                                managementPort,
                                props,
                                options.dataDir()
                                        .toAbsolutePath()
                                        .resolve("logs")
                                        .resolve(module + ".log"))
                        .jvmOptions(serviceJvmOptions));
    }

    private static String adminPassword(Path dataDir) {
        return secret(
                dataDir,
                "RECUR_ADMIN_PASSWORD",
                "admin-password",
                () -> HexFormat.of().formatHex(random(12)));
    }

    /**
     * The key job-runner seals callback URLs' tokens with and delivery opens them with: one for as long as the data
     * directory lives, since the results on the topic outlive a restart.
     */
    private static String callbackSealSecrets(Path dataDir) {
        return secret(
                dataDir,
                "RECUR_CALLBACK_SEAL_SECRETS",
                "callback-seal-secrets",
                () -> "k1:" + java.util.Base64.getEncoder().encodeToString(random(32)));
    }

    /** The environment variable if set, else the data directory's file (0600), made with a new value the first time. */
    private static String secret(Path dataDir, String variable, String name, java.util.function.Supplier<String> make) {
        String fromEnv = System.getenv(variable);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        Path file = dataDir.toAbsolutePath().resolve(name);
        try {
            if (Files.exists(file)) {
                ServiceProcess.ownerOnly(file, "rw-------");
                return Files.readString(file).trim();
            }
            String value = make.get();
            Files.createDirectories(file.getParent());
            // created empty and restricted first: the secret is never in a file others may read
            Files.deleteIfExists(file);
            Files.createFile(file);
            ServiceProcess.ownerOnly(file, "rw-------");
            Files.writeString(file, value + "\n");
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] random(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return random;
    }

    /**
     * Runs the steps on threads of their own (the common pool has a single thread on a 2-core machine) and
     * returns when all are done; the first failure is thrown.
     */
    private static void inParallel(Runnable... steps) {
        ExecutorService threads = Executors.newFixedThreadPool(steps.length);
        try {
            CompletableFuture.allOf(Arrays.stream(steps)
                            .map(step -> CompletableFuture.runAsync(step, threads))
                            .toArray(CompletableFuture[]::new))
                    .join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            threads.shutdown();
        }
    }

    private static void timed(String what, Runnable step) {
        long start = System.nanoTime();
        step.run();
        System.out.printf(Locale.ROOT, "[recur-local] %s ready in %.1f s%n", what, (System.nanoTime() - start) / 1e9);
    }
}
