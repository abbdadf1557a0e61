package dev.recur.scheduleapi.domain;

import java.time.Instant;

/** A run of a schedule as the job history knows it: its jobs counted, not loaded. */
public record RunSummary(long runId, Instant scheduledFor, long jobCount, long doneCount) {}
