package dev.recur.delivery.domain;

/**
 * How one delivery attempt ended.
 *
 * @param statusCode HTTP status of the answer; null when there was none
 * @param permanent true when retrying cannot help (e.g. a refused target)
 */
public record AttemptOutcome(boolean success, Integer statusCode, String reason, boolean permanent) {

    public static AttemptOutcome delivered(Integer statusCode) {
        return new AttemptOutcome(true, statusCode, null, false);
    }

    public static AttemptOutcome failed(Integer statusCode, String reason) {
        return new AttemptOutcome(false, statusCode, reason, false);
    }

    public static AttemptOutcome refused(String reason) {
        return new AttemptOutcome(false, null, reason, true);
    }
}
