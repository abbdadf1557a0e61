package dev.recur.delivery.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How delivery keeps results in the deployment's results bucket (named by {@code recur.results.bucket}, see
 * {@link dev.recur.common.storage.ResultsBucket}).
 */
@ConfigMapping(prefix = "recur.results")
public interface ResultsStoreConfig {

    /**
     * The results bucket's name ({@code recur.results.bucket}, set once for every service in common; delivery reads
     * it as {@link dev.recur.common.storage.ResultsBucket}). Named here because the setting lies under this mapping's
     * prefix, whose keys must all belong to it.
     */
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

    /** Reads of job-runner's claim checks ({@code claims/{job_id}.json} in the results bucket, nowhere else). */
    Claims claims();

    interface Claims {

        /** A claim check larger than this is not read: its job is recorded as faulted, its results lost. */
        @WithDefault("134217728")
        long maxBytes();

        /**
         * Bytes of claim checks read at once: a consumed batch is taken in groups of at most this many bytes (at least
         * one job each), each read, stored and logged before the next is read. At least {@link #maxBytes()}.
         */
        @WithDefault("201326592")
        long maxBytesInFlight();
    }

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
