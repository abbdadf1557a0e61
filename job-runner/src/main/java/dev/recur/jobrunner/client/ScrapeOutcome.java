package dev.recur.jobrunner.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.recur.common.event.ResultPage;
import dev.recur.common.event.ResultsRef;

/** What one call to a scraper backend gave. */
public sealed interface ScrapeOutcome {

    /** The HTTP status the backend answered with; 0 when it never answered. */
    int statusCode();

    record Success(int statusCode, List<ResultPage> pages) implements ScrapeOutcome {}

    /** A call whose page was too large to hold: it went to the job's claim check as it arrived. */
    record Claimed(int statusCode, ResultsRef claim) implements ScrapeOutcome {}

    /**
     * A call that gave no result.
     *
     * @param retryable true when a later call may succeed (408, 429, 5xx, timeouts, connection errors)
     * @param retryAfter the wait the backend asked for, if it did
     */
    record Failure(int statusCode, String reason, boolean retryable, Optional<Duration> retryAfter)
            implements ScrapeOutcome {

        public static Failure permanent(int statusCode, String reason) {
            return new Failure(statusCode, reason, false, Optional.empty());
        }

        public static Failure transientFailure(int statusCode, String reason) {
            return new Failure(statusCode, reason, true, Optional.empty());
        }
    }

    /** The failure policy for an HTTP answer that is not a success: 408, 429 and 5xx are worth another try. */
    static boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || status >= 500;
    }
}
