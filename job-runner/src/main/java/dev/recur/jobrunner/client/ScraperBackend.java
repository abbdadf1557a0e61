package dev.recur.jobrunner.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A way to run one job's item; implementations never throw for a failed call, they return a {@link ScrapeOutcome.Failure}. */
public interface ScraperBackend {

    /** The name carried in {@code JobResult.backend} and used in the source mapping. */
    String name();

    ScrapeOutcome scrape(ObjectNode item);
}
