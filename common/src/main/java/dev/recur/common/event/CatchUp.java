package dev.recur.common.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What the ticker does with fire times it missed: while it was down or behind, or because a schedule reached it
 * after a minute it had been promised. A missed fire time older than the catch-up window is always skipped.
 * The order of the constants is part of the ticker's stored state: new ones go at the end.
 */
public enum CatchUp {
    /** One run, late, for all the missed fire times inside the window: the latest, with its own scheduled_for. */
    @JsonProperty("fire_once")
    FIRE_ONCE,
    /** Count every missed run as skipped. */
    @JsonProperty("skip")
    SKIP,
    /** Every missed fire time inside the window runs, late, each with its own scheduled_for. */
    @JsonProperty("fire_all")
    FIRE_ALL
}
