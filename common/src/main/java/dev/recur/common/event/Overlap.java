package dev.recur.common.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the ticker does when a run is due while the schedule's previous run still has unfinished jobs. */
public enum Overlap {
    /** Start the new run anyway. */
    @JsonProperty("allow")
    ALLOW,
    /** Skip the new run. */
    @JsonProperty("skip")
    SKIP
}
