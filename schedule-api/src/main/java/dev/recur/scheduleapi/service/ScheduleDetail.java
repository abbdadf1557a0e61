package dev.recur.scheduleapi.service;

import java.time.Instant;

import dev.recur.scheduleapi.domain.Schedule;

/** A schedule as {@code GET /v1/schedules/{id}} shows it: with its next fire time and the JSON of its statistics. */
public record ScheduleDetail(Schedule schedule, Instant nextRunAt, String stats) {}
