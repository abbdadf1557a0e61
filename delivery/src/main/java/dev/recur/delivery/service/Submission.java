package dev.recur.delivery.service;

import dev.recur.delivery.domain.DeliverableJob;
import dev.recur.delivery.domain.PendingDelivery;

/** A delivery together with what it delivers, ready for an attempt. */
public record Submission(PendingDelivery delivery, DeliverableJob deliverable) {}
