package dev.recur.delivery.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The deployment's results bucket, shared with job-runner (which writes its claim checks there). */
@ConfigMapping(prefix = "recur.results")
public interface ResultsStoreConfig {

    @WithDefault("recur-results")
    String bucket();

    /**
     * How long results are kept: {@code results/{job_id}.json} from its job's result time, a results pack from when
     * it was written (never earlier than its jobs' result times); the expiry sweep deletes them afterwards.
     */
    @WithDefault("PT24H")
    Duration retention();

    @WithDefault("PT10M")
    Duration sweepInterval();

    /** Results packs: the small results documents of a consumed batch, stored as one object. */
    Pack pack();

    interface Pack {

        /**
         * A results document up to this size goes into its batch's results pack; a larger one is stored alone as
         * {@code results/{job_id}.json}. {@code 0} stores every document alone.
         */
        @WithDefault("262144")
        int documentMaxBytes();

        /** A pack is closed at this size and the next one started (a single document may exceed it). */
        @WithDefault("8388608")
        int maxBytes();
    }
}
