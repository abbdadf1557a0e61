package dev.recur.scheduleapi.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import dev.recur.common.cache.Caches;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.domain.AppUser;
import dev.recur.scheduleapi.repository.AppUserRepository;
import dev.recur.scheduleapi.repository.ReactiveScheduleRepository;
import dev.recur.scheduleapi.repository.ScheduleRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * Users with bcrypt password hashes in Postgres, the check of HTTP Basic credentials, and user administration.
 *
 * <p>Verified credentials are cached for {@code credential-cache-ttl}, but each use of a cached entry checks the
 * user's {@code credentials_version} (one primary-key read): a changed password, a disabled or a deleted user bumps
 * or removes it, so such credentials stop working on every replica with the next request, not when the cache entry
 * expires.
 */
@ApplicationScoped
public class UserService {

    private static final Logger LOG = Logger.getLogger(UserService.class);
    // bounds the memory of the credential cache
    private static final int MAX_CACHED_CREDENTIALS = 10_000;
    /** Passwords the prod profile refuses whatever their length: the defaults shipped in examples. */
    static final List<String> WELL_KNOWN_PASSWORDS =
            List.of("change-me", "changeme", "admin", "password", "admin-password", "recur", "secret");
    // one per thread: the credential cache's key is computed on every request (see digest)
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    });

    @Inject
    AppUserRepository users;

    @Inject
    ScheduleRepository scheduleRepository;

    @Inject
    ScheduleService schedules;

    @Inject
    ReactiveScheduleRepository reactive;

    @Inject
    ScheduleApiConfig config;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry registry;

    @Inject
    Event<UserDeleted> userDeleted;

    /**
     * Verified credentials by a digest of username and password. bcrypt costs tens of milliseconds by design;
     * checking it on every request would cap the API at a few hundred requests per second per core.
     */
    private final Cache<String, Verified> verified = Caches.bounded(MAX_CACHED_CREDENTIALS);

    private LoginThrottle throttle;
    private Counter failedUnknown;
    private Counter failedPassword;
    private Counter failedDisabled;
    private Counter throttledUser;
    private Counter throttledAddress;
    /** What an unknown username's password is checked against: the same bcrypt work as a known one's. */
    private volatile String decoyHash;

    /** Credentials verified recently: the caller, the user's credentials version then, and until when. */
    public record Verified(Caller caller, long credentialsVersion, Instant expiresAt) {}

    /** The answer of a login check: a caller, or a refusal, or a wait (throttled, the password not checked). */
    public record Login(Caller caller, Duration retryAfter) {

        static Login denied() {
            return new Login(null, null);
        }

        public boolean throttled() {
            return retryAfter != null;
        }
    }

    @PostConstruct
    void init() {
        throttle = new LoginThrottle(config.login());
        String failures = "recur.login.failures";
        String failuresHelp = "Failed logins (HTTP Basic credentials checked and refused) by reason";
        failedUnknown = counter(failures, failuresHelp, "reason", "unknown_user");
        failedPassword = counter(failures, failuresHelp, "reason", "wrong_password");
        failedDisabled = counter(failures, failuresHelp, "reason", "disabled");
        String throttled = "recur.login.throttled";
        String throttledHelp = "Logins refused with 429 without checking the password, by the key that waits";
        throttledUser = counter(throttled, throttledHelp, "scope", "user");
        throttledAddress = counter(throttled, throttledHelp, "scope", "address");
    }

    private Counter counter(String name, String help, String tag, String value) {
        return Counter.builder(name).description(help).tag(tag, value).register(registry);
    }

    void bootstrapAdminOnStart(@Observes StartupEvent event) {
        if (config.adminUser().isEmpty() || config.adminPassword().isEmpty()) {
            return;
        }
        String password = config.adminPassword().get();
        Optional<String> weak = weakness(password, config.adminPasswordMinLength());
        if (weak.isPresent() && ConfigUtils.isProfileActive("prod")) {
            if (!config.insecureAdminPasswordAllowed()) {
                throw new IllegalStateException("refusing to start: RECUR_ADMIN_PASSWORD " + weak.get()
                        + "; set a random one (e.g. openssl rand -hex 16)");
            }
            LOG.warnf("the administrator's password %s (allowed by insecure-admin-password-allowed)", weak.get());
        }
        bootstrapAdmin(config.adminUser().get(), password);
    }

    /** Why the prod profile refuses this administrator password, if it does. */
    static Optional<String> weakness(String password, int minLength) {
        if (WELL_KNOWN_PASSWORDS.contains(password.toLowerCase(java.util.Locale.ROOT))) {
            return Optional.of("is a well-known default");
        }
        if (password.length() < minLength) {
            return Optional.of("is shorter than " + minLength + " characters");
        }
        return Optional.empty();
    }

    /**
     * Creates the administrator if no user has that name, and otherwise gives it this password if it has another
     * one: changing RECUR_ADMIN_PASSWORD and restarting rotates it (ending its current sessions everywhere).
     */
    @Transactional
    public void bootstrapAdmin(String username, String password) {
        Optional<AppUser> existing = users.findByUsername(username);
        if (existing.isEmpty()) {
            persist(username, password, true);
            LOG.infof("created administrator %s", username);
        } else if (!BcryptUtil.matches(password, existing.get().passwordHash)) {
            AppUser admin = existing.get();
            admin.passwordHash = hash(password);
            admin.credentialsVersion++;
            LOG.infof("administrator %s: password rotated to the configured one", username);
        }
    }

    /**
     * The cached verification of these credentials if they were verified recently; empty if they must be checked
     * (with {@link #authenticate}). Never blocks: callers on the HTTP event loop use it. The entry is only good
     * while {@link #stillCurrent} says so.
     */
    public Optional<Verified> recentlyVerified(String username, String password) {
        Verified cached = verified.getIfPresent(digest(username, password));
        return cached != null && cached.expiresAt().isAfter(clock.instant()) ? Optional.of(cached) : Optional.empty();
    }

    /** Whether the user of a cached verification still exists, is enabled, and has not changed password. Blocks. */
    public boolean stillCurrent(Verified cached) {
        return users.credentialsCurrent(cached.caller().id(), cached.credentialsVersion());
    }

    /** {@link #stillCurrent} on the non-blocking client, for the HTTP event loop. */
    public Uni<Boolean> stillCurrentNonBlocking(Verified cached) {
        return reactive.credentialsCurrent(cached.caller().id(), cached.credentialsVersion());
    }

    /** Drops the cached verification of these credentials. */
    public void forget(String username, String password) {
        verified.invalidate(digest(username, password));
    }

    /**
     * Checks the credentials (the user's row, bcrypt: blocks) unless the username or the client address must wait
     * after failed logins. An unknown username costs the same bcrypt check as a known one, so the time of the answer
     * does not tell whether the name exists.
     */
    public Login authenticate(String username, String password, String clientAddress) {
        Instant now = clock.instant();
        Optional<LoginThrottle.Wait> wait = throttle.waitFor(username, clientAddress, now);
        if (wait.isPresent()) {
            (wait.get().scope() == LoginThrottle.Scope.USER ? throttledUser : throttledAddress).increment();
            return new Login(null, wait.get().retryAfter());
        }
        Optional<AppUser> found = users.findByUsername(username);
        boolean matches =
                BcryptUtil.matches(password, found.map(u -> u.passwordHash).orElseGet(this::decoyHash));
        if (found.isEmpty() || !matches || !found.get().enabled) {
            (found.isEmpty() ? failedUnknown : !matches ? failedPassword : failedDisabled).increment();
            throttle.failed(username, clientAddress, clock.instant());
            return Login.denied();
        }
        throttle.succeeded(username);
        AppUser user = found.get();
        if (costOf(user.passwordHash) != config.login().bcryptCost()) {
            rehash(user, password);
        }
        Caller caller = new Caller(user.id, user.username, user.admin);
        verified.put(
                digest(username, password),
                new Verified(caller, user.credentialsVersion, now.plus(config.credentialCacheTtl())));
        return new Login(caller, null);
    }

    /**
     * {@link #authenticate(String, String, String)} without a client address (throttled per username only), for
     * callers that answer a wait as a refusal.
     */
    public Optional<Caller> authenticate(String username, String password) {
        return Optional.ofNullable(authenticate(username, password, null).caller());
    }

    @Transactional
    public Caller addUser(String username, String password, boolean admin) {
        if (users.findByUsername(username).isPresent()) {
            throw new ApiException(
                    409, "user " + username + " already exists", List.of(new FieldError("username", "is taken")));
        }
        return persist(username, password, admin);
    }

    /** Users in id order after {@code afterId}. */
    @Transactional
    public List<AppUser> list(long afterId, int limit) {
        return users.find("id > ?1", Sort.by("id"), afterId).page(0, limit).list();
    }

    @Transactional
    public AppUser get(long id) {
        return users.findByIdOptional(id).orElseThrow(() -> ApiException.notFound("user " + id));
    }

    /** Disabling ends the user's credentials at once on every replica; the user's schedules keep running. */
    @Transactional
    public AppUser setEnabled(long id, boolean enabled, Caller by) {
        AppUser user = get(id);
        if (!enabled && user.id == by.id()) {
            throw new ApiException(409, "administrators cannot disable themselves", List.of());
        }
        if (user.enabled != enabled) {
            user.enabled = enabled;
            user.credentialsVersion++;
        }
        return user;
    }

    /** A new password; the old one stops working at once on every replica. */
    @Transactional
    public void changePassword(long id, String password) {
        AppUser user = get(id);
        user.passwordHash = hash(password);
        user.credentialsVersion++;
    }

    /**
     * Deletes a user in two transactions: the first disables the user (its credentials fail from then on) and
     * pauses its active schedules, the second deletes its schedules (tombstones through the outbox, so the ticker
     * drops them) and the user. A failure between the two leaves a disabled user with paused schedules; deleting
     * again completes it. The user's job history stays, keyed by the deleted id, which no new user ever gets.
     */
    public void delete(long id, Caller by) {
        if (id == by.id()) {
            throw new ApiException(409, "administrators cannot delete themselves", List.of());
        }
        QuarkusTransaction.requiringNew().run(() -> {
            AppUser user = get(id);
            user.enabled = false;
            user.credentialsVersion++;
            users.flush();
            scheduleRepository
                    .idsOf(id, true, 0, Integer.MAX_VALUE)
                    .forEach(scheduleId -> schedules.changeState(scheduleId, id, false));
        });
        QuarkusTransaction.requiringNew().run(() -> {
            AppUser user = get(id);
            scheduleRepository
                    .idsOf(id, null, 0, Integer.MAX_VALUE)
                    .forEach(scheduleId -> schedules.delete(scheduleId, id));
            users.delete(user);
            userDeleted.fire(new UserDeleted(id, user.username));
        });
        LOG.infof("deleted user %d", id);
    }

    private Caller persist(String username, String password, boolean admin) {
        AppUser user = new AppUser();
        user.username = username;
        user.passwordHash = hash(password);
        user.admin = admin;
        users.persist(user);
        return new Caller(user.id, username, admin);
    }

    private void rehash(AppUser user, String password) {
        String rehashed = hash(password);
        // same password: the version stays, and a concurrent password change wins
        QuarkusTransaction.requiringNew()
                .run(() -> users.update(
                        "passwordHash = ?1 where id = ?2 and passwordHash = ?3", rehashed, user.id, user.passwordHash));
    }

    private String hash(String password) {
        return BcryptUtil.bcryptHash(password, config.login().bcryptCost());
    }

    private String decoyHash() {
        String decoy = decoyHash;
        if (decoy == null) {
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            decoy = hash(HexFormat.of().formatHex(random));
            decoyHash = decoy;
        }
        return decoy;
    }

    /** bcrypt's cost in a modular-crypt hash ({@code $2a$12$...}), or -1. */
    static int costOf(String hash) {
        try {
            return Integer.parseInt(hash.substring(4, 6));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * The cache key: SHA-256 of user and password, so that the cache holds no password. It runs on every request:
     * one digest per thread instead of a provider lookup per call, and the 32 bytes as a string of 32 chars
     * instead of 64 hex digits.
     */
    private static String digest(String username, String password) {
        MessageDigest sha = SHA_256.get();
        sha.update(username.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(password.getBytes(StandardCharsets.UTF_8));
        return new String(sha.digest(), StandardCharsets.ISO_8859_1);
    }
}
