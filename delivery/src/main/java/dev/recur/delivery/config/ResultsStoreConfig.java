package dev.recur.delivery.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The deployment's results bucket, shared with job-runner (which writes its claim checks there). */
@ConfigMapping(prefix = "recur.results")
public interface ResultsStoreConfig {

    @WithDefault("recur-results")
    String bucket();

    /** How long {@code results/{job_id}.json} is kept; the expiry sweep deletes it afterwards. */
    @WithDefault("PT24H")
    Duration retention();

    @WithDefault("PT10M")
    Duration sweepInterval();
}
