package dev.recur.scheduleapi.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import dev.recur.scheduleapi.config.ScheduleApiConfig;
import dev.recur.scheduleapi.domain.AppUser;
import dev.recur.scheduleapi.repository.AppUserRepository;
import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.runtime.StartupEvent;

/** Users with bcrypt password hashes in Postgres, and the check of HTTP Basic credentials. */
@ApplicationScoped
public class UserService {

    private static final Logger LOG = Logger.getLogger(UserService.class);
    // bounds the memory of the credential cache; it is simply emptied when full
    private static final int MAX_CACHED_CREDENTIALS = 10_000;
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
    ScheduleApiConfig config;

    @Inject
    Clock clock;

    /**
     * Verified credentials by a digest of username and password. bcrypt costs tens of milliseconds by design;
     * checking it on every request would cap the API at a few hundred requests per second per core.
     */
    private final Map<String, CachedCaller> verified = new ConcurrentHashMap<>();

    private record CachedCaller(Caller caller, Instant expiresAt) {
    }

    @Transactional
    void createAdminOnFirstStart(@Observes StartupEvent event) {
        if (config.adminUser().isEmpty() || config.adminPassword().isEmpty()) {
            return;
        }
        String username = config.adminUser().get();
        if (users.findByUsername(username).isEmpty()) {
            persist(username, config.adminPassword().get(), true);
            LOG.infof("created administrator %s", username);
        }
    }

    /**
     * The caller for these credentials if they were verified recently; empty if they must be checked (with
     * {@link #authenticate}). Never blocks: callers on the HTTP event loop use it.
     */
    public Optional<Caller> recentlyVerified(String username, String password) {
        CachedCaller cached = verified.get(digest(username, password));
        return cached != null && cached.expiresAt().isAfter(clock.instant())
                ? Optional.of(cached.caller())
                : Optional.empty();
    }

    /**
     * The caller for these credentials, or empty if the user does not exist or the password is wrong. Blocks (the
     * user's row, bcrypt) unless they were verified recently.
     */
    public Optional<Caller> authenticate(String username, String password) {
        String cacheKey = digest(username, password);
        Instant now = clock.instant();
        CachedCaller cached = verified.get(cacheKey);
        if (cached != null && cached.expiresAt().isAfter(now)) {
            return Optional.of(cached.caller());
        }
        Optional<Caller> caller = users.findByUsername(username)
                .filter(user -> BcryptUtil.matches(password, user.passwordHash))
                .map(user -> new Caller(user.username, user.admin));
        if (caller.isPresent()) {
            if (verified.size() >= MAX_CACHED_CREDENTIALS) {
                verified.clear();
            }
            verified.put(cacheKey, new CachedCaller(caller.get(), now.plus(config.credentialCacheTtl())));
        }
        return caller;
    }

    @Transactional
    public Caller addUser(String username, String password, boolean admin) {
        if (users.findByUsername(username).isPresent()) {
            throw new ApiException(409, "user " + username + " already exists",
                    List.of(new FieldError("username", "is taken")));
        }
        return persist(username, password, admin);
    }

    private Caller persist(String username, String password, boolean admin) {
        AppUser user = new AppUser();
        user.username = username;
        user.passwordHash = BcryptUtil.bcryptHash(password);
        user.admin = admin;
        users.persist(user);
        return new Caller(username, admin);
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
