package dev.recur.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.recur.testinfra.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Users through the processes, on two schedule-api instances sharing the database, as a scaled-out deployment runs
 * them: a deleted user's and a changed password's credentials fail at once on both, though both had them in their
 * credential cache; failed logins are throttled per username and per client address with 429 and a growing
 * {@code Retry-After}, per instance; no secret is on a service's command line.
 */
@Tag("e2e")
class UserAdministrationIT {

    private static final String PASSWORD = "a-long-enough-password";

    private static ServiceProcess second;
    private static RecurApi adminOnFirst;

    @BeforeAll
    static void startSecondInstance() {
        LocalRecur recur = RecurSystem.get();
        // the second instance throttles as a deployment does (the shared one does not: see RecurSystem)
        second = recur.service("schedule-api")
                .another(
                        "schedule-api-users",
                        Ports.free(),
                        Map.of(
                                "recur.schedule-api.login.free-failures-per-user", "5",
                                "recur.schedule-api.login.free-failures-per-address", "12",
                                // long enough that a slow machine's next request still falls into the wait
                                "recur.schedule-api.login.first-delay", "PT3S"));
        second.start();
        second.awaitReady(Duration.ofSeconds(180));
        adminOnFirst =
                new RecurApi(recur.apiBaseUrl(), RecurSystem.basic(LocalRecur.ADMIN_USER, recur.adminPassword()));
    }

    @AfterAll
    static void stopSecondInstance() {
        if (second != null) {
            second.stop();
        }
    }

    private static String newUser() {
        String name = "it-" + UUID.randomUUID().toString().substring(0, 8);
        RecurApi.Response created = adminOnFirst.send(
                "POST", "/v1/admin/users", "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return name;
    }

    private static RecurApi on(String baseUrl, String user, String password) {
        return new RecurApi(baseUrl, RecurSystem.basic(user, password));
    }

    @Test
    void shouldRefuseADeletedUsersCredentialsAtOnceOnBothInstances() {
        String first = RecurSystem.get().apiBaseUrl();
        String user = newUser();
        RecurApi onFirst = on(first, user, PASSWORD);
        RecurApi onSecond = on(second.baseUrl(), user, PASSWORD);
        long id = onFirst.get("/v1/users/me").path("id").asLong();
        RecurApi.Response created = onFirst.send(
                "POST",
                "/v1/schedules",
                "{\"cron\":\"0 16 * * *\",\"items\":[{\"source\":\"universal\",\"url\":\"https://example.com\"}],"
                        + "\"end_time\":\"2032-12-01 16:00:00\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String schedule =
                "/v1/schedules/" + created.json().path("schedule_id_str").asText();
        // verified, so cached, on both: on the event loop (one schedule) and on a worker thread (the list)
        for (RecurApi api : new RecurApi[] {onFirst, onSecond}) {
            assertThat(api.send("GET", schedule, null).status()).isEqualTo(200);
            assertThat(api.send("GET", "/v1/schedules", null).status()).isEqualTo(200);
        }

        assertThat(adminOnFirst.send("DELETE", "/v1/admin/users/" + id, null).status())
                .isEqualTo(204);

        for (RecurApi api : new RecurApi[] {onSecond, onFirst}) {
            assertThat(api.send("GET", schedule, null).status()).isEqualTo(401);
            assertThat(api.send("GET", "/v1/schedules", null).status()).isEqualTo(401);
        }
    }

    @Test
    void shouldRefuseAChangedPasswordAtOnceOnTheOtherInstance() {
        String user = newUser();
        RecurApi onSecond = on(second.baseUrl(), user, PASSWORD);
        long id = onSecond.get("/v1/users/me").path("id").asLong();
        assertThat(onSecond.send("GET", "/v1/schedules", null).status()).isEqualTo(200);

        RecurApi.Response changed = adminOnFirst.send(
                "PUT", "/v1/admin/users/" + id + "/password", "{\"password\":\"another-long-password\"}");
        assertThat(changed.status()).as(changed.toString()).isEqualTo(204);

        assertThat(onSecond.send("GET", "/v1/schedules", null).status()).isEqualTo(401);
        assertThat(on(second.baseUrl(), user, "another-long-password")
                        .send("GET", "/v1/schedules", null)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void shouldThrottleFailedLoginsPerUsernameThenPerAddressWithGrowingWaits() throws InterruptedException {
        String user = newUser();
        RecurApi right = on(second.baseUrl(), user, PASSWORD);
        RecurApi wrong = on(second.baseUrl(), user, "not-the-password");
        String other = newUser();
        // five free failures; the sixth starts a wait of 3 s, within which even the right password gets a 429
        for (int i = 0; i < 6; i++) {
            assertThat(wrong.send("GET", "/v1/schedules", null).status()).isEqualTo(401);
        }
        RecurApi.Response throttled = right.send("GET", "/v1/schedules", null);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(Integer.parseInt(throttled.headers().get("retry-after"))).isBetween(1, 3);
        assertThat(throttled.json().path("message").asText()).contains("too many failed logins");
        Thread.sleep(3_100);
        // the next failure doubles the wait
        assertThat(wrong.send("GET", "/v1/schedules", null).status()).isEqualTo(401);
        RecurApi.Response longer = right.send("GET", "/v1/schedules", null);
        assertThat(longer.status()).isEqualTo(429);
        assertThat(Integer.parseInt(longer.headers().get("retry-after"))).isBetween(4, 6);
        // per instance: the first one checks the password
        assertThat(on(RecurSystem.get().apiBaseUrl(), user, PASSWORD)
                        .send("GET", "/v1/schedules", null)
                        .status())
                .isEqualTo(200);
        Thread.sleep(6_100);
        assertThat(right.send("GET", "/v1/schedules", null).status()).isEqualTo(200);

        // the address: 7 failures so far (and up to 3 of the other tests), 12 free; guesses at unknown names count
        int guesses = 0;
        RecurApi.Response guess;
        while ((guess = on(second.baseUrl(), "nobody-" + guesses, PASSWORD).send("GET", "/v1/schedules", null)).status()
                == 401) {
            guesses++;
            assertThat(guesses).as("401s before the address waits").isLessThanOrEqualTo(6);
        }
        // a fresh name has no failures of its own: the address waits
        assertThat(guess.status()).isEqualTo(429);
        assertThat(guess.headers()).containsKey("retry-after");
        assertThat(guesses).isGreaterThanOrEqualTo(2);
        // and so does another user's right password, not verified on this instance before
        assertThat(on(second.baseUrl(), other, PASSWORD)
                        .send("GET", "/v1/schedules", null)
                        .status())
                .isEqualTo(429);
        // credentials verified before keep working
        assertThat(right.send("GET", "/v1/schedules", null).status()).isEqualTo(200);
        String metrics = on(second.managementUrl(), user, PASSWORD)
                .raw("GET", "/q/metrics", Map.of(), null)
                .body();
        assertThat(metrics)
                .contains("recur_login_throttled_total{scope=\"user\"}")
                .contains("recur_login_throttled_total{scope=\"address\"}")
                .contains("recur_login_failures_total{reason=\"unknown_user\"}");
    }

    @Test
    void shouldRefuseToStartWithAWellKnownAdministratorPassword() throws InterruptedException {
        ServiceProcess weak = RecurSystem.get()
                .service("schedule-api")
                .another("schedule-api-weak", Ports.free(), Map.of("recur.schedule-api.admin-password", "change-me"));
        weak.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (weak.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            assertThat(weak.isAlive()).as("schedule-api started with change-me").isFalse();
            assertThat(dev.recur.testinfra.ChildJvm.tail(weak.log(), 200))
                    .contains("refusing to start: RECUR_ADMIN_PASSWORD is a well-known default");
        } finally {
            weak.kill();
        }
    }

    @Test
    void shouldPassNoSecretOnAServicesCommandLine() throws IOException {
        LocalRecur recur = RecurSystem.get();
        String command = ProcessHandle.of(recur.service("schedule-api").pid())
                .orElseThrow()
                .info()
                .commandLine()
                .orElseThrow();
        assertThat(command)
                .contains("quarkus.config.locations=")
                .doesNotContain(recur.adminPassword())
                .doesNotContain(recur.s3().secretKey())
                .doesNotContain("datasource.password")
                .doesNotContain("jaas.config");
        Path secrets =
                Path.of(java.net.URI.create(command.replaceAll(".*quarkus\\.config\\.locations=(\\S+).*", "$1")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)))
                .isEqualTo("rw-------");
        Path adminPassword = Path.of("target/system-data/admin-password");
        if (Files.exists(adminPassword)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(adminPassword)))
                    .isEqualTo("rw-------");
        }
    }
}
