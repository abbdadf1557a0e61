package dev.recur.delivery.service;

import dev.recur.common.event.ResultsRef;
import dev.recur.delivery.domain.FinishedJob;

/** A consumed job whose results document is already in the results store. */
public record Ingested(FinishedJob job, byte[] resultsDocument, ResultsRef resultsRef) {}
