package dev.recur.delivery.domain;

/**
 * A job with its results document, the bytes of {@code {"results": [...]}} that the results store,
 * the user's buckets and the callback body all carry.
 */
public record DeliverableJob(FinishedJob job, byte[] resultsDocument) {}
