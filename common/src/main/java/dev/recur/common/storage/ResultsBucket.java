package dev.recur.common.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The deployment's results bucket ({@value #SETTING}, set once for every service in common's
 * {@code META-INF/microprofile-config.properties}: {@code RESULTS_BUCKET}, default {@code recur-results}) and the
 * layout of its keys:
 * <ul>
 * <li>{@code claims/{job_id}.json}: job-runner's claim checks, the JSON array of a job's result pages; read by
 * delivery;</li>
 * <li>{@code results/{job_id}.json}: a large results document stored alone by delivery;</li>
 * <li>{@code results/packs/{written-at millis}-{first job id}-{random}.ndjson}: a results pack, the small documents of
 * one consumed batch, one a line; a job's document is a byte range of it.</li>
 * </ul>
 * delivery writes the documents, schedule-api reads them back. Each reader reads only its kind of key in this bucket
 * ({@link #holdsClaim}, {@link #holdsResults}), whatever bucket or key a record on a topic names: a record is not
 * trusted to point only there (a tenant's bucket, another kind of object, a key with {@code ..}).
 */
public final class ResultsBucket {

    /** The setting that names the bucket. */
    public static final String SETTING = "recur.results.bucket";

    public static final String CLAIM_PREFIX = "claims/";
    public static final String RESULTS_PREFIX = "results/";
    public static final String PACK_PREFIX = "results/packs/";
    /** The media type of a claim check and of a results document. */
    public static final String CONTENT_TYPE = "application/json";

    public static final String PACK_CONTENT_TYPE = "application/x-ndjson";

    private static final Pattern CLAIM_KEY = Pattern.compile("claims/[0-9A-Za-z_-][0-9A-Za-z._-]{0,200}");
    private static final Pattern RESULTS_KEY =
            Pattern.compile("results/(\\d{1,19}\\.json|packs/[0-9A-Za-z_-]+(-[0-9A-Za-z_-]+)*\\.ndjson)");
    /** A pack's key starts with its time as 13 digits of epoch milliseconds. */
    private static final int PACK_TIME_DIGITS = 13;

    private final String name;

    public ResultsBucket(String name) {
        this.name = name;
    }

    /** The bucket's name. */
    public String name() {
        return name;
    }

    /** The key of job-runner's claim check of a job; it depends on the job id only, so a job redone overwrites it. */
    public static String claimKey(long jobId) {
        return CLAIM_PREFIX + jobId + ".json";
    }

    /** The key of a job's results document stored alone. */
    public static String resultsKey(long jobId) {
        return RESULTS_PREFIX + jobId + ".json";
    }

    /**
     * The key of a results pack written at {@code writtenAt}: the time first, as 13 digits of epoch milliseconds, so
     * that a listing (in key order) is oldest first and the expiry sweep needs no index of packs; the random part
     * keeps two writers of the same job apart.
     */
    public static String packKey(Instant writtenAt, long firstJobId) {
        return PACK_PREFIX
                + String.format(
                        "%013d-%d-%08x.ndjson",
                        writtenAt.toEpochMilli(),
                        firstJobId,
                        ThreadLocalRandom.current().nextInt());
    }

    /** When the pack at {@code key} was written, or null if the key is not a pack's. */
    public static Instant packWrittenAt(String key) {
        if (!key.startsWith(PACK_PREFIX) || key.length() < PACK_PREFIX.length() + PACK_TIME_DIGITS) {
            return null;
        }
        String millis = key.substring(PACK_PREFIX.length(), PACK_PREFIX.length() + PACK_TIME_DIGITS);
        return millis.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(millis)) : null;
    }

    /** Whether {@code bucket}/{@code key} is a claim check in this bucket. */
    public boolean holdsClaim(String bucket, String key) {
        return name.equals(bucket) && key != null && CLAIM_KEY.matcher(key).matches() && !key.contains("..");
    }

    /** Whether {@code bucket}/{@code key} is a results document or a results pack in this bucket. */
    public boolean holdsResults(String bucket, String key) {
        return name.equals(bucket) && key != null && RESULTS_KEY.matcher(key).matches();
    }

    /** The HTTP {@code Range} header value of {@code size} bytes from {@code offset}. */
    public static String httpRange(long offset, long size) {
        return "bytes=" + offset + "-" + (offset + size - 1);
    }

    /**
     * Throws unless a ranged read of {@code size} bytes got as many: a store that ignores the range answers with the
     * whole object, which must not pass for one document of a pack.
     */
    public static void checkRangeLength(String bucket, String key, long size, long answered) {
        if (answered != size) {
            throw new IllegalStateException(
                    "s3://" + bucket + "/" + key + " answered " + answered + " bytes for a range of " + size);
        }
    }

    /** A new SHA-256 digest, for content that arrives in parts; {@link #hex} gives its value. */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** The digest's value as lower-case hex, as {@code ResultsRef.sha256} carries it. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 of the bytes as lower-case hex. */
    public static String sha256(byte[] content) {
        return sha256(content, 0, content.length);
    }

    /** The SHA-256 of {@code length} bytes from {@code offset} as lower-case hex. */
    public static String sha256(byte[] content, int offset, int length) {
        MessageDigest digest = newSha256();
        digest.update(content, offset, length);
        return hex(digest);
    }
}
