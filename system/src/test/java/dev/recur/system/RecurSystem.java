package dev.recur.system;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.recur.testinfra.Infra;
import dev.recur.testinfra.gcs.GcsEmulator;

/**
 * The whole system for the end-to-end tests: one {@link LocalRecur} per test JVM (real Kafka, PostgreSQL, S3, the
 * GCS emulator, the four services as processes), with test users, and one WireMock server standing for the world
 * outside (the Oxylabs-compatible scraper, web pages, callback receivers). Every test class meets the same system,
 * so the service properties are one fixed set that suits them all.
 * <p>
 * The outside server listens on {@value #OUTSIDE_ADDRESS}, the one internal address the services may call
 * (fetcher and callbacks): any other loopback, private or link-local target, {@code 127.0.0.1} included, stays
 * refused, which is what the security tests check. The services resolve names through a hosts file of their own
 * ({@code -Djdk.net.hosts.file}), which gives {@link #DISGUISED_NAMES} their addresses.
 */
final class RecurSystem {

    static final String ALICE = "alice";
    static final String BOB = "bob";
    /** The console's user: its Failures page holds only the dead letters of ConsoleBrowserIT's schedule. */
    static final String CAROL = "carol";

    static final String PASSWORD = "correct-horse-battery";
    static final String SIGNING_SECRET = "e2e-signing-secret";
    static final String OUTSIDE_ADDRESS = "127.0.0.2";
    static final String SCRAPER_USER = "scraper-user";
    static final String SCRAPER_PASSWORD = "scraper-pass";
    /** Scraper calls per job: a job whose scraper keeps failing ends faulted after this many. */
    static final int SCRAPER_ATTEMPTS = 3;
    /** A private address nothing allows, where the security tests listen for requests that must never come. */
    static final String PRIVATE_ADDRESS = "127.0.0.1";
    /**
     * Names whose only address is an IPv6 form that carries {@link #PRIVATE_ADDRESS} (or the cloud metadata
     * address), as a DNS zone or hosts file a tenant controls could answer.
     */
    static final Map<String, String> DISGUISED_NAMES = disguisedNames();

    private static LocalRecur recur;
    private static RuntimeException startFailure;
    private static WireMockServer outside;
    private static RecurApi admin;

    private RecurSystem() {}

    static synchronized LocalRecur get() {
        if (startFailure != null) {
            // one attempt per JVM: a second would start everything again beside what is left of the first
            throw new IllegalStateException("the system did not start (see the first failing class)", startFailure);
        }
        if (recur == null) {
            try {
                start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return recur;
    }

    /** The world outside Recur; test classes add their stubs (they are additive) and read its request journal. */
    static synchronized WireMockServer outside() {
        get();
        return outside;
    }

    /** The outside server's base URL by address: WireMock's own {@code baseUrl()} names localhost (127.0.0.1). */
    /** The administrator's client, for tests that manage users of their own. */
    static synchronized RecurApi admin() {
        get();
        return admin;
    }

    static String outsideUrl() {
        return "http://" + OUTSIDE_ADDRESS + ":" + outside().port();
    }

    static RecurApi api(String user) {
        return new RecurApi(get().apiBaseUrl(), basic(user, PASSWORD));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void start() {
        long start = System.nanoTime();
        WireMockServer world = new WireMockServer(
                options().bindAddress(OUTSIDE_ADDRESS).dynamicPort().containerThreads(20));
        world.start();
        Runtime.getRuntime().addShutdownHook(new Thread(world::stop, "recur-system-outside-stop"));
        // the emulator (a node process) starts while the infrastructure does
        CompletableFuture<GcsEmulator> gcsStarted = CompletableFuture.supplyAsync(
                GcsEmulator::shared, task -> new Thread(task, "recur-system-gcs-start").start());

        Map<String, String> props = new LinkedHashMap<>();
        props.put("recur.job-runner.oxylabs.base-url", "http://" + OUTSIDE_ADDRESS + ":" + world.port());
        props.put("recur.job-runner.oxylabs.username", SCRAPER_USER);
        props.put("recur.job-runner.oxylabs.password", SCRAPER_PASSWORD);
        props.put("recur.job-runner.fetcher.allow", OUTSIDE_ADDRESS + "/32");
        props.put("recur.job-runner.retry.max-attempts", Integer.toString(SCRAPER_ATTEMPTS));
        props.put("recur.job-runner.retry.initial-backoff", "PT0.2S");
        props.put("recur.job-runner.retry.max-backoff", "PT1S");
        props.put("recur.delivery.callback.allowed-networks", OUTSIDE_ADDRESS + "/32");
        props.put("recur.delivery.callback.signing-secret", SIGNING_SECRET);
        // the suites send wrong credentials on purpose, all from 127.0.0.1, and expect 401s: failed logins are not
        // throttled on the shared API (UserAdministrationIT throttles on an instance of its own)
        props.put("recur.schedule-api.login.free-failures-per-user", "1000000");
        props.put("recur.schedule-api.login.free-failures-per-address", "1000000");

        Path data = Path.of("target/system-data").toAbsolutePath();
        Infra.deleteRecursively(data);
        props.put("jdk.net.hosts.file", hostsFile(data).toString());
        LocalRecur started = new LocalRecur(LocalRecur.Options.forTests(Repo.dir(), data, props));
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "recur-system-stop"));
        started.startInfrastructure();
        GcsEmulator gcs = gcsStarted.join();
        started.startServices(
                Map.of("recur.delivery.gcs.host", gcs.host(), "recur.delivery.gcs.project-id", gcs.projectId()));
        System.out.printf(
                Locale.ROOT,
                "[system] Recur started in %.1f s; logs in %s%n",
                (System.nanoTime() - start) / 1e9,
                data.resolve("logs"));
        recur = started;
        outside = world;
        admin = new RecurApi(started.apiBaseUrl(), basic(LocalRecur.ADMIN_USER, started.adminPassword()));
        addUser(ALICE);
        addUser(BOB);
        addUser(CAROL);
    }

    private static Map<String, String> disguisedNames() {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("mapped.ssrf.test", "::ffff:" + PRIVATE_ADDRESS);
        names.put("compatible.ssrf.test", "::" + PRIVATE_ADDRESS);
        names.put("nat64.ssrf.test", "64:ff9b::" + PRIVATE_ADDRESS);
        names.put("nat64-local.ssrf.test", "64:ff9b:1:7f00:0:100::");
        names.put("sixtofour.ssrf.test", "2002:7f00:1::");
        names.put("teredo.ssrf.test", "2001:0:4136:e378:8000:63bf:80ff:fffe");
        names.put("metadata.ssrf.test", "::ffff:169.254.169.254");
        return Collections.unmodifiableMap(names);
    }

    /**
     * The services' hosts file, which replaces the system's for them: localhost and this machine's name on the
     * loopback address, and the disguised names (the JDK reads an IPv4-mapped entry as the IPv4 address; the other
     * forms stay IPv6 addresses).
     */
    private static Path hostsFile(Path data) {
        StringBuilder hosts = new StringBuilder(PRIVATE_ADDRESS + " localhost\n");
        try {
            hosts.append(PRIVATE_ADDRESS)
                    .append(' ')
                    .append(InetAddress.getLocalHost().getHostName())
                    .append('\n');
        } catch (IOException e) {
            // a machine whose own name does not resolve: the services do not need it either
        }
        DISGUISED_NAMES.forEach((name, address) ->
                hosts.append(address).append(' ').append(name).append('\n'));
        try {
            Files.createDirectories(data);
            return Files.writeString(data.resolve("hosts"), hosts);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void addUser(String name) {
        RecurApi.Response response = admin.send(
                "POST", "/v1/admin/users", "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}");
        if (response.status() != 201) {
            throw new IllegalStateException("cannot add user " + name + ": " + response);
        }
    }
}
