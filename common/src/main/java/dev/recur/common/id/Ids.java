package dev.recur.common.id;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Schedule, run and job ids: positive 63-bit numbers, never 0.
 *
 * <p>Run and job ids are derived, not drawn, so that a redelivered message yields the same id and
 * every write keyed by it is idempotent. The derivation is part of the data format: ids already
 * stored depend on it, so it must never change. It is the first 8 bytes (big-endian) of SHA-256 over
 * <ul>
 *   <li>run id: UTF-8 {@code "recur-run-v1"}, schedule id as 8 bytes big-endian, epoch second of
 *       {@code scheduled_for} as 8 bytes big-endian;</li>
 *   <li>job id: UTF-8 {@code "recur-job-v1"}, run id as 8 bytes big-endian, item index as 4 bytes
 *       big-endian;</li>
 * </ul>
 * with the sign bit cleared, and 0 replaced by 1.
 */
public final class Ids {

    private static final byte[] RUN_TAG = "recur-run-v1".getBytes(StandardCharsets.UTF_8);
    private static final byte[] JOB_TAG = "recur-job-v1".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    /** A new random schedule id. */
    public static long newScheduleId() {
        return newScheduleId(RANDOM);
    }

    /** A new schedule id drawn from {@code random}, for tests that need repeatable ids. */
    public static long newScheduleId(RandomGenerator random) {
        long id;
        do {
            id = random.nextLong() & Long.MAX_VALUE;
        } while (id == 0);
        return id;
    }

    /** The id of the run of {@code scheduleId} for the minute {@code scheduledFor}; sub-second parts are ignored. */
    public static long runId(long scheduleId, Instant scheduledFor) {
        Objects.requireNonNull(scheduledFor, "scheduledFor");
        return digest(ByteBuffer.allocate(RUN_TAG.length + 16)
                .put(RUN_TAG)
                .putLong(scheduleId)
                .putLong(scheduledFor.getEpochSecond()));
    }

    /** The id of the job for the item at {@code itemIndex} (0-based, in the schedule's items) of run {@code runId}. */
    public static long jobId(long runId, int itemIndex) {
        if (itemIndex < 0) {
            throw new IllegalArgumentException("itemIndex must not be negative: " + itemIndex);
        }
        return digest(ByteBuffer.allocate(JOB_TAG.length + 12)
                .put(JOB_TAG)
                .putLong(runId)
                .putInt(itemIndex));
    }

    private static long digest(ByteBuffer input) {
        byte[] hash = SHA256.get().digest(input.array());
        long id = ByteBuffer.wrap(hash, 0, Long.BYTES).getLong() & Long.MAX_VALUE;
        return id == 0 ? 1 : id;
    }

    // ids are derived per run and per job on hot paths (ticker, job-runner, read models): looking up a new digest
    // for each took about as long as the hashing itself; digest() resets it for the next use
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Ids::sha256);

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
