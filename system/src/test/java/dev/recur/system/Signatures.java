package dev.recur.system;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a callback receiver computes to check {@code X-Recur-Signature: t=<unix seconds>,v1=<hex>}, written from
 * docs/callbacks.md, not from delivery or common.
 */
final class Signatures {

    private static final long TOLERANCE_SECONDS = 300;

    private Signatures() {}

    /** True if {@code t} is within 5 minutes of now and one {@code v1} is the HMAC of "t.body" with the secret. */
    static boolean verifies(String header, byte[] body, String secret) {
        if (header == null) {
            return false;
        }
        String t = null;
        for (String part : header.split(",")) {
            if (part.startsWith("t=")) {
                t = part.substring(2);
            }
        }
        if (t == null
                || !t.matches("\\d{1,12}")
                || Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t)) > TOLERANCE_SECONDS) {
            return false;
        }
        byte[] signed = (t + "." + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        byte[] expected = hmacSha256(secret, signed).getBytes(StandardCharsets.US_ASCII);
        boolean match = false;
        for (String part : header.split(",")) {
            if (part.startsWith("v1=")) {
                match |= MessageDigest.isEqual(expected, part.substring(3).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return match;
    }

    static String hmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
