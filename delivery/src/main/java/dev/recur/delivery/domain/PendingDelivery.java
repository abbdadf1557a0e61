package dev.recur.delivery.domain;

import java.time.Instant;

import dev.recur.common.event.DeliveryKind;

/**
 * One delivery of one job that is not done yet.
 *
 * @param attempts attempts made so far
 * @param firstAttemptAt null before the first attempt
 */
public record PendingDelivery(
        long id, long jobId, DeliveryKind kind, String target, int attempts, Instant firstAttemptAt) {}
