package dev.recur.scheduleapi.service;

import java.time.Instant;
import java.time.ZoneId;

import dev.recur.common.cron.CronExpression;

/** A validated preview request. */
public record PreviewRequest(CronExpression cron, ZoneId zone, Instant after, int count) {}
