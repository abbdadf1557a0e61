package dev.recur.ticker.streams;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import dev.recur.common.id.Ids;

/**
 * {@link Ids#runId} with one digest kept for every run of a processor: looking up a new {@link MessageDigest} for
 * each run took about as long as hashing. The derivation is the one {@link Ids} documents (a test holds them
 * equal); an instance belongs to one thread.
 */
final class RunIds {

    private static final byte[] RUN_TAG = "recur-run-v1".getBytes(StandardCharsets.UTF_8);

    private final MessageDigest sha256;
    private final byte[] input = new byte[RUN_TAG.length + 2 * Long.BYTES];

    RunIds() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
        System.arraycopy(RUN_TAG, 0, input, 0, RUN_TAG.length);
    }

    long of(long scheduleId, long scheduledForEpochSecond) {
        putLong(RUN_TAG.length, scheduleId);
        putLong(RUN_TAG.length + Long.BYTES, scheduledForEpochSecond);
        byte[] hash = sha256.digest(input);
        long id = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            id = id << 8 | hash[i] & 0xFF;
        }
        id &= Long.MAX_VALUE;
        return id == 0 ? 1 : id;
    }

    private void putLong(int offset, long value) {
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            input[offset + i] = (byte) value;
            value >>>= 8;
        }
    }
}
