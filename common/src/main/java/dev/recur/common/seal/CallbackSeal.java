package dev.recur.common.seal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.JobResult;
import dev.recur.common.net.UrlRedaction;

/**
 * Keeps the secret parts of a callback URL (userinfo, query, fragment: where receivers put their tokens) off the
 * public {@code recur.job-results} topic while delivery still calls the URL the tenant gave. job-runner
 * {@linkplain #seal(JobResult) seals} a result: its item's {@code callback_url} becomes the redacted URL
 * ({@link UrlRedaction}, e.g. {@code https://hooks.example.com/recur?…}) and the whole URL goes, encrypted with the
 * deployment's key (AES-GCM, 96-bit random nonce, the job id as associated data so that a sealed URL cannot be moved
 * to another job), into {@code sealed_callback_url}. delivery {@linkplain #open(JobResult) opens} it again.
 *
 * <p>The keys come from one secret setting, {@value #SETTING}: comma-separated {@code id:base64-key} entries (16, 24
 * or 32 bytes). The first seals; all open. A sealed value is {@code id.base64url(nonce ‖ ciphertext ‖ tag)}, so a
 * rotation adds a new first key, keeps the old one until every result sealed with it is delivered (the topic's
 * retention), then drops it.
 */
public final class CallbackSeal {

    /** The configuration key; the environment variable is {@code RECUR_CALLBACK_SEAL_SECRETS}. */
    public static final String SETTING = "recur.callback-seal.secrets";

    private static final String ALGORITHM = "AES/GCM/NoPadding";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A sealed value that cannot be opened here: unknown key id, wrong job, tampered or malformed. */
    public static final class UnopenableException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        UnopenableException(String message) {
            super(message);
        }
    }

    private final String currentId;
    private final Map<String, SecretKeySpec> keys;

    private CallbackSeal(String currentId, Map<String, SecretKeySpec> keys) {
        this.currentId = currentId;
        this.keys = Map.copyOf(keys);
    }

    /**
     * The keys of the setting's value; an {@link IllegalArgumentException} names the setting and the bad entry's id
     * or position, never a key.
     */
    public static CallbackSeal parse(String setting) {
        if (setting == null || setting.isBlank()) {
            throw new IllegalArgumentException(SETTING + " (RECUR_CALLBACK_SEAL_SECRETS) is not set: give it one "
                    + "id:base64-key entry, e.g. k1:$(openssl rand -base64 32)");
        }
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        String first = null;
        String[] entries = setting.split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon);
            if (!id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new IllegalArgumentException(SETTING + ": entry " + (i + 1) + " must be id:base64-key with an id"
                        + " of letters, digits, '_' and '-'");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(SETTING + ": the key of '" + id + "' is not base64");
            }
            if (key.length != 16 && key.length != 24 && key.length != 32) {
                throw new IllegalArgumentException(SETTING + ": the key of '" + id + "' has " + key.length
                        + " bytes; an AES key has 16, 24 or 32");
            }
            if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
                throw new IllegalArgumentException(SETTING + ": key id '" + id + "' appears twice");
            }
            first = first == null ? id : first;
        }
        return new CallbackSeal(first, keys);
    }

    /** The id of the key that seals. */
    public String currentKeyId() {
        return currentId;
    }

    /** Whether the URL has a part the public topic must not show: userinfo, a query or a fragment. */
    public static boolean hasSecretPart(String url) {
        try {
            URI uri = new URI(url.trim());
            return uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null;
        } catch (URISyntaxException e) {
            // not a URL: it is not shown on the topic either (the redaction says "(not a URL)")
            return true;
        }
    }

    /**
     * The result as the public topic may carry it: an item's {@code callback_url} with a secret part redacted and
     * sealed into {@code sealed_callback_url}; the result itself when there is nothing to hide.
     */
    public JobResult seal(JobResult result) {
        String url = callbackUrl(result.item());
        if (url == null || !hasSecretPart(url)) {
            return result;
        }
        ObjectNode item = result.item().deepCopy();
        item.put("callback_url", UrlRedaction.redact(url));
        return result.withCallback(item, seal(url, result.jobId()));
    }

    /**
     * The result as delivery needs it: the item's {@code callback_url} as the tenant gave it; the result itself when
     * nothing was sealed.
     *
     * @throws UnopenableException when the sealed URL cannot be opened with these keys
     */
    public JobResult open(JobResult result) {
        if (result.sealedCallbackUrl() == null) {
            return result;
        }
        ObjectNode item = result.item() == null ? null : result.item().deepCopy();
        if (item == null) {
            throw new UnopenableException("sealed_callback_url without an item");
        }
        item.put("callback_url", open(result.sealedCallbackUrl(), result.jobId()));
        return result.withCallback(item, null);
    }

    String seal(String plaintext, long jobId) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context(jobId));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return currentId + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    String open(String sealed, long jobId) {
        int dot = sealed.indexOf('.');
        String id = dot < 0 ? "" : sealed.substring(0, dot);
        SecretKeySpec key = keys.get(id);
        if (key == null) {
            throw new UnopenableException("sealed with key '" + (id.matches("[A-Za-z0-9_-]{1,32}") ? id : "?")
                    + "', which " + SETTING + " does not hold");
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(sealed.substring(dot + 1));
            if (in.length < NONCE_BYTES + TAG_BITS / 8) {
                throw new UnopenableException("sealed value too short");
            }
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(context(jobId));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new UnopenableException("sealed value is not base64url");
        } catch (javax.crypto.AEADBadTagException e) {
            throw new UnopenableException("sealed value does not open with key '" + id + "' for job " + jobId
                    + " (tampered, or sealed for another job)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private static byte[] context(long jobId) {
        return ("recur.callback_url:" + jobId).getBytes(StandardCharsets.UTF_8);
    }

    private static String callbackUrl(ObjectNode item) {
        if (item == null
                || !item.hasNonNull("callback_url")
                || !item.get("callback_url").isTextual()) {
            return null;
        }
        return item.get("callback_url").textValue();
    }

    /** Never the keys. */
    @Override
    public String toString() {
        return "CallbackSeal[current=" + currentId + ", keys=" + keys.keySet() + "]";
    }
}
