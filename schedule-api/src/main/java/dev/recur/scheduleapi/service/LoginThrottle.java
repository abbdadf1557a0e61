package dev.recur.scheduleapi.service;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.recur.scheduleapi.config.ScheduleApiConfig;

/**
 * Failed logins per username and per client address, with a growing wait once a key has had its free failures: the
 * first wait is {@code firstDelay}, doubled by each further failure up to {@code maxDelay}. While a key waits, its
 * logins are refused without checking the password (no bcrypt spent, no guess counted); a key's failures are
 * forgotten {@code forgetAfter} after its last one, and a username's at its next successful login. An address is not
 * cleared by a success: one valid account must not reset the count of guesses at others.
 *
 * <p>In memory, per replica: behind N replicas an attacker gets up to N times the attempts. Bounded: when a map is
 * full, forgotten keys are dropped, and if that is not enough the map is emptied (an attacker who can fill it has many
 * addresses anyway).
 */
public final class LoginThrottle {

    static final int MAX_KEYS = 100_000;

    /** Which key a refusal came from, for the metric. */
    public enum Scope {
        USER,
        ADDRESS
    }

    /** A refused login: which key, and how long until it may try again. */
    public record Wait(Scope scope, Duration retryAfter) {}

    private record Failures(int count, Instant last, Instant blockedUntil) {}

    private final ScheduleApiConfig.Login config;
    private final Map<String, Failures> users = new ConcurrentHashMap<>();
    private final Map<String, Failures> addresses = new ConcurrentHashMap<>();

    public LoginThrottle(ScheduleApiConfig.Login config) {
        this.config = config;
    }

    /** The wait before a login of this username from this address may be checked, if it must wait. */
    public Optional<Wait> waitFor(String username, String address, Instant now) {
        Duration user = remaining(users.get(username), now);
        Duration addr = address == null ? Duration.ZERO : remaining(addresses.get(address), now);
        if (user.isZero() && addr.isZero()) {
            return Optional.empty();
        }
        return Optional.of(user.compareTo(addr) >= 0 ? new Wait(Scope.USER, user) : new Wait(Scope.ADDRESS, addr));
    }

    /** Counts a failed login against the username and the address. */
    public void failed(String username, String address, Instant now) {
        count(users, username, config.freeFailuresPerUser(), now);
        if (address != null) {
            count(addresses, address, config.freeFailuresPerAddress(), now);
        }
    }

    /** A successful login: the username's failures are forgotten. */
    public void succeeded(String username) {
        users.remove(username);
    }

    private void count(Map<String, Failures> map, String key, int free, Instant now) {
        if (map.size() >= MAX_KEYS && !map.containsKey(key)) {
            map.values().removeIf(f -> forgotten(f, now));
            if (map.size() >= MAX_KEYS) {
                map.clear();
            }
        }
        map.compute(key, (k, previous) -> {
            int count = previous == null || forgotten(previous, now) ? 1 : previous.count() + 1;
            // within the free failures, no wait at all (not "until now": a clock set back must not make one)
            Instant blockedUntil = count <= free ? Instant.MIN : now.plus(delay(count - free));
            return new Failures(count, now, blockedUntil);
        });
    }

    /** The wait after the n-th failure beyond the free ones: firstDelay × 2^(n-1), at most maxDelay. */
    Duration delay(int beyondFree) {
        Duration delay = config.firstDelay();
        for (int i = 1; i < beyondFree && delay.compareTo(config.maxDelay()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(config.maxDelay()) > 0 ? config.maxDelay() : delay;
    }

    private boolean forgotten(Failures failures, Instant now) {
        Instant forgetAt = failures.last().plus(config.forgetAfter());
        // never while a wait longer than forgetAfter is still running
        return now.isAfter(forgetAt) && !now.isBefore(failures.blockedUntil());
    }

    private static Duration remaining(Failures failures, Instant now) {
        if (failures == null || !failures.blockedUntil().isAfter(now)) {
            return Duration.ZERO;
        }
        return Duration.between(now, failures.blockedUntil());
    }
}
