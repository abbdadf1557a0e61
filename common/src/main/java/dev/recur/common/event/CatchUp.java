package dev.recur.common.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the ticker does with a fire time it missed while it was down. */
public enum CatchUp {
    /** Fire a missed run once, late, if it is within the catch-up window. */
    @JsonProperty("fire_once") FIRE_ONCE,
    /** Count a missed run as skipped. */
    @JsonProperty("skip") SKIP
}
