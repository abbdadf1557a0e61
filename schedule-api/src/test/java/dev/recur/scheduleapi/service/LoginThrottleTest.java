package dev.recur.scheduleapi.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.recur.scheduleapi.config.ScheduleApiConfig;
import io.quarkus.elytron.security.common.BcryptUtil;
import org.junit.jupiter.api.Test;

/** The throttle of failed logins per username and per address, and the password rules of UserService. */
class LoginThrottleTest {

    private static final Instant T0 = Instant.parse("2026-12-07T06:00:00Z");

    private static ScheduleApiConfig.Login config(int freePerUser, int freePerAddress) {
        return new ScheduleApiConfig.Login() {
            public int bcryptCost() {
                return 4;
            }

            public int freeFailuresPerUser() {
                return freePerUser;
            }

            public int freeFailuresPerAddress() {
                return freePerAddress;
            }

            public Duration firstDelay() {
                return Duration.ofSeconds(1);
            }

            public Duration maxDelay() {
                return Duration.ofMinutes(15);
            }

            public Duration forgetAfter() {
                return Duration.ofMinutes(15);
            }
        };
    }

    @Test
    void shouldDoubleTheWaitWithEachFailureBeyondTheFreeOnesUpToTheMaximum() {
        LoginThrottle throttle = new LoginThrottle(config(5, 100));
        Instant now = T0;
        for (int i = 0; i < 5; i++) {
            throttle.failed("alice", "10.0.0.1", now);
            assertThat(throttle.waitFor("alice", "10.0.0.1", now)).isEmpty();
        }
        long[] expectedSeconds = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900};
        for (long seconds : expectedSeconds) {
            throttle.failed("alice", "10.0.0.1", now);
            assertThat(throttle.waitFor("alice", "10.0.0.2", now))
                    .contains(new LoginThrottle.Wait(LoginThrottle.Scope.USER, Duration.ofSeconds(seconds)));
            now = now.plusSeconds(seconds);
            assertThat(throttle.waitFor("alice", "10.0.0.2", now)).isEmpty();
        }
        assertThat(throttle.waitFor("bob", "10.0.0.2", now)).as("another user").isEmpty();
    }

    @Test
    void shouldThrottleAnAddressTryingManyUsernames() {
        LoginThrottle throttle = new LoginThrottle(config(5, 20));
        for (int i = 0; i < 21; i++) {
            throttle.failed("user-" + i, "10.0.0.9", T0);
        }
        assertThat(throttle.waitFor("user-99", "10.0.0.9", T0))
                .contains(new LoginThrottle.Wait(LoginThrottle.Scope.ADDRESS, Duration.ofSeconds(1)));
        assertThat(throttle.waitFor("user-99", "10.0.0.10", T0))
                .as("another address")
                .isEmpty();
        // one valid account does not reset the address
        throttle.succeeded("user-3");
        assertThat(throttle.waitFor("user-99", "10.0.0.9", T0)).isPresent();
    }

    @Test
    void shouldForgetFailuresAfterAQuietPeriodAndAUsernameAfterASuccess() {
        LoginThrottle throttle = new LoginThrottle(config(1, 100));
        throttle.failed("alice", null, T0);
        throttle.failed("alice", null, T0);
        assertThat(throttle.waitFor("alice", null, T0)).isPresent();
        throttle.succeeded("alice");
        throttle.failed("alice", null, T0);
        assertThat(throttle.waitFor("alice", null, T0))
                .as("the first failure after a success is free")
                .isEmpty();

        throttle.failed("carol", null, T0);
        throttle.failed("carol", null, T0);
        Instant later = T0.plus(Duration.ofMinutes(16));
        throttle.failed("carol", null, later);
        assertThat(throttle.waitFor("carol", null, later))
                .as("counted from one again")
                .isEmpty();
    }

    @Test
    void shouldRefuseWellKnownAndShortAdministratorPasswords() {
        assertThat(UserService.weakness("change-me", 16)).contains("is a well-known default");
        assertThat(UserService.weakness("Change-Me", 4)).contains("is a well-known default");
        assertThat(UserService.weakness("0123456789abcde", 16)).contains("is shorter than 16 characters");
        assertThat(UserService.weakness("0123456789abcdef", 16)).isEmpty();
    }

    @Test
    void shouldReadTheCostOfABcryptHash() {
        assertThat(UserService.costOf(BcryptUtil.bcryptHash("password", 4))).isEqualTo(4);
        assertThat(UserService.costOf(BcryptUtil.bcryptHash("password", 10))).isEqualTo(10);
        assertThat(UserService.costOf("not a hash")).isEqualTo(-1);
        assertThat(Optional.of(BcryptUtil.bcryptHash("password", 5)))
                .get()
                .asString()
                .startsWith("$2");
    }
}
