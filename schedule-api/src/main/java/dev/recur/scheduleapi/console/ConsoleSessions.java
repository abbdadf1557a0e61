package dev.recur.scheduleapi.console;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The console's session cookie: {@code userId.credentialsVersion.expiry.nonce} signed with HMAC-SHA256. Stateless, so
 * any replica that shares the key accepts it; the user's row is read on every request (see {@link ConsoleAuth}), so a
 * disabled or deleted user, or a changed password (credentials version), ends the session at once. The CSRF token is
 * derived from the session (a second HMAC over its nonce): a page from another origin can read neither.
 */
@ApplicationScoped
public class ConsoleSessions {

    /** A session as its cookie names it; {@code csrf} is the token forms and htmx requests must send back. */
    public record Session(long userId, long credentialsVersion, long expiresAtEpochSecond, String nonce, String csrf) {}

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();

    @Inject
    Clock clock;

    @ConfigProperty(name = "recur.console.session-ttl", defaultValue = "PT8H")
    Duration ttl;

    private final SecretKeySpec key;

    @Inject
    public ConsoleSessions(@ConfigProperty(name = "recur.console.session-key") Optional<String> configuredKey) {
        byte[] bytes;
        if (configuredKey.isEmpty() || configuredKey.get().isBlank()) {
            // one replica: sessions end with the process; several replicas behind one address share a configured key
            bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
        } else {
            bytes = configuredKey.get().getBytes(StandardCharsets.UTF_8);
        }
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    public String issue(long userId, long credentialsVersion) {
        byte[] nonce = new byte[16];
        new SecureRandom().nextBytes(nonce);
        long expires = clock.instant().plus(ttl).getEpochSecond();
        String payload = userId + "." + credentialsVersion + "." + expires + "." + B64.encodeToString(nonce);
        return payload + "." + B64.encodeToString(mac("session:" + payload));
    }

    /** The session the cookie value names if its signature holds and it has not expired. */
    public Optional<Session> verify(String cookie) {
        if (cookie == null) {
            return Optional.empty();
        }
        int lastDot = cookie.lastIndexOf('.');
        if (lastDot < 0) {
            return Optional.empty();
        }
        String payload = cookie.substring(0, lastDot);
        byte[] signature;
        try {
            signature = B64_DECODER.decode(cookie.substring(lastDot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(signature, mac("session:" + payload))) {
            return Optional.empty();
        }
        String[] parts = payload.split("\\.");
        if (parts.length != 4) {
            return Optional.empty();
        }
        try {
            long expires = Long.parseLong(parts[2]);
            if (clock.instant().getEpochSecond() >= expires) {
                return Optional.empty();
            }
            return Optional.of(new Session(
                    Long.parseLong(parts[0]),
                    Long.parseLong(parts[1]),
                    expires,
                    parts[3],
                    B64.encodeToString(mac("csrf:" + parts[3]))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public long maxAgeSeconds() {
        return ttl.toSeconds();
    }

    /** Whether {@code token} is the session's CSRF token (compared in constant time). */
    public static boolean csrfMatches(Session session, String token) {
        return token != null
                && MessageDigest.isEqual(
                        session.csrf().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
