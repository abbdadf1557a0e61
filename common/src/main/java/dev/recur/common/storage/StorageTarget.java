package dev.recur.common.storage;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where an item's results go: a tenant's bucket and key prefix, from its {@code storage_type} and {@code storage_url}
 * ({@code s3://bucket/prefix}; {@code gs://bucket/prefix} or {@code bucket/prefix}). The one parser for schedule-api,
 * which refuses a bad target at create, and delivery, which writes {@link #key(long)}.
 *
 * <p>A prefix is a path of non-empty segments: no {@code .} or {@code ..} segment, no empty one ({@code a//b}, a
 * leading slash), no control character; trailing slashes are dropped. Object stores take such keys literally, but
 * tools that mirror a bucket to a file system, and readers that join keys, do not.
 */
public record StorageTarget(Type type, String bucket, String prefix) {

    /** The kinds of object store, as {@code storage_type} names them. */
    public enum Type {
        S3("s3"),
        GCS("gcs");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** The type named by {@code storage_type}, or an {@link InvalidStorageTargetException}. */
        public static Type of(String text) {
            for (Type type : values()) {
                if (type.text.equals(text)) {
                    return type;
                }
            }
            throw new InvalidStorageTargetException("storage_type", "must be s3 or gcs");
        }
    }

    // S3 bucket naming rules (lower case, digits, dots, hyphens; 3-63 characters)
    private static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    // GCS bucket names additionally allow underscores
    private static final Pattern GCS_BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]");
    private static final int MAX_PREFIX_BYTES = 512;

    /** Parses and checks a target; an {@link InvalidStorageTargetException} names the field and what is wrong. */
    public static StorageTarget parse(Type type, String url) {
        String rest;
        if (type == Type.S3) {
            if (!url.startsWith("s3://")) {
                throw new InvalidStorageTargetException("storage_url", "must be s3://bucket/prefix");
            }
            rest = url.substring(5);
        } else {
            rest = url.startsWith("gs://") ? url.substring(5) : url;
            if (rest.contains("://")) {
                throw new InvalidStorageTargetException("storage_url", "must be bucket/prefix or gs://bucket/prefix");
            }
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        Pattern rule = type == Type.S3 ? S3_BUCKET : GCS_BUCKET;
        if (!rule.matcher(bucket).matches()) {
            throw new InvalidStorageTargetException(
                    "storage_url", "names no valid " + type.text() + " bucket: '" + printable(bucket) + "'");
        }
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        checkPrefix(prefix);
        return new StorageTarget(type, bucket, prefix);
    }

    /** The key of a job's object: {@code prefix/{job_id}.json}. */
    public String key(long jobId) {
        return prefix.isEmpty() ? jobId + ".json" : prefix + "/" + jobId + ".json";
    }

    private static void checkPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return;
        }
        if (prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PREFIX_BYTES) {
            throw new InvalidStorageTargetException(
                    "storage_url", "has a prefix longer than " + MAX_PREFIX_BYTES + " bytes");
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new InvalidStorageTargetException(
                        "storage_url",
                        String.format(Locale.ROOT, "has a control character (U+%04X) in its prefix", (int) c));
            }
        }
        for (String segment : prefix.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new InvalidStorageTargetException(
                        "storage_url", "has an empty segment in its prefix ('//' or a" + " leading '/')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new InvalidStorageTargetException("storage_url", "has a '" + segment + "' segment in its prefix");
            }
        }
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(80).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format(Locale.ROOT, "\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}
