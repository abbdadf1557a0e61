package dev.recur.jobrunner.client;

import dev.recur.common.event.ResultsRef;

/**
 * Where a page too large to hold goes while it is fetched: the claim-check object of its job, written in parts. The
 * calls block (they are S3 requests): the fetcher makes them off its event loop.
 */
public interface ClaimUploads {

    /** Starts the claim-check object of job {@code jobId}. */
    Upload open(long jobId);

    /** One claim-check object being written. */
    interface Upload {

        /** Appends {@code length} bytes of {@code bytes}; every part but the last is at least {@link #MIN_PART_BYTES}. */
        void part(byte[] bytes, int length);

        /** Ends the object; says where it is, how large, and its SHA-256. */
        ResultsRef complete();

        /** Drops what was written (best effort). */
        void abort();
    }

    /** The smallest part S3 takes, but for the last one. */
    int MIN_PART_BYTES = 5 * 1024 * 1024;
}
