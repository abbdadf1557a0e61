package dev.recur.common.signing;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code X-Recur-Signature} header of callbacks, in the form of Stripe's webhooks:
 * {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}, one {@code v1} per secret that is valid at the
 * time (two during a rotation window). A receiver accepts the callback when {@code t} is within its tolerance
 * (5 minutes) of its clock and one {@code v1} equals its own HMAC, compared in constant time (docs/callbacks.md).
 */
public final class CallbackSignature {

    public static final String HEADER = "X-Recur-Signature";
    /** How far from the receiver's clock a signature's time may be: older ones could be replays. */
    public static final Duration TOLERANCE = Duration.ofMinutes(5);

    private static final String HMAC = "HmacSHA256";

    private CallbackSignature() {}

    /** The header value for a body sent at {@code unixSeconds}, one {@code v1} per signer, in their order. */
    public static String header(long unixSeconds, byte[] body, List<Signer> signers) {
        StringBuilder header = new StringBuilder("t=").append(unixSeconds);
        for (Signer signer : signers) {
            header.append(",v1=").append(signer.v1(unixSeconds, body));
        }
        return header.toString();
    }

    /**
     * What a receiver does: true if {@code header} has a {@code t} within {@code tolerance} of {@code now} and a
     * {@code v1} that is the HMAC of {@code "<t>.<body>"} with {@code secret}.
     */
    public static boolean verify(String header, byte[] body, String secret, Instant now, Duration tolerance) {
        if (header == null) {
            return false;
        }
        Long t = null;
        List<String> parts = List.of(header.split(","));
        for (String part : parts) {
            if (part.startsWith("t=") && t == null) {
                try {
                    t = Long.parseLong(part.substring(2).trim());
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        if (t == null || Math.abs(now.getEpochSecond() - t) > tolerance.toSeconds()) {
            return false;
        }
        byte[] expected = signer(secret).v1(t, body).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String part : parts) {
            if (part.startsWith("v1=")) {
                match |=
                        MessageDigest.isEqual(expected, part.substring(3).trim().getBytes(StandardCharsets.US_ASCII));
            }
        }
        return match;
    }

    /** A signer initialised once with {@code secret} (UTF-8 bytes are the HMAC key); threads may share it. */
    public static Signer signer(String secret) {
        return new Signer(secret);
    }

    /** Signs with a clone of a Mac initialised once: no provider lookup or key setup per callback. */
    public static final class Signer {

        private final Mac initialised;

        private Signer(String secret) {
            if (secret == null || secret.isEmpty()) {
                throw new IllegalArgumentException("a signing secret must not be empty");
            }
            try {
                initialised = Mac.getInstance(HMAC);
                initialised.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);
            }
        }

        /** Lower-case hex HMAC-SHA256 of {@code "<unixSeconds>.<body>"}. */
        public String v1(long unixSeconds, byte[] body) {
            Mac mac;
            try {
                mac = (Mac) initialised.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the HmacSHA256 provider does not clone", e);
            }
            mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        }
    }
}
