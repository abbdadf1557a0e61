package dev.recur.jobrunner.client;

import java.util.concurrent.CompletionStage;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A way to run one job's item; implementations never throw for a failed call, they return a {@link ScrapeOutcome.Failure}. */
public interface ScraperBackend {

    /** The name carried in {@code JobResult.backend} and used in the source mapping. */
    String name();

    /**
     * Starts the call and returns at once; the stage completes when the call has an outcome, on a thread of the
     * backend's client. It never completes exceptionally: a failed call is a {@link ScrapeOutcome.Failure}.
     */
    CompletionStage<ScrapeOutcome> scrape(ObjectNode item);

    /** {@link #scrape(ObjectNode)} for job {@code context.jobId()}, within the heap its context allows. */
    default CompletionStage<ScrapeOutcome> scrape(ObjectNode item, ScrapeContext context) {
        return scrape(item);
    }
}
