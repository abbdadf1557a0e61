package dev.recur.common.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a job ended. */
public enum JobStatus {
    /** The scraper answered with results. */
    @JsonProperty("done")
    DONE,
    /** The job gave up; {@code error} says why. */
    @JsonProperty("faulted")
    FAULTED
}
