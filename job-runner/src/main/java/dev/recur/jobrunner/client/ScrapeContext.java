package dev.recur.jobrunner.client;

/**
 * What a backend knows of the job it runs beyond the item: its id (the claim-check key of a page streamed to the
 * results bucket) and the heap it may hold for what it fetches.
 */
public record ScrapeContext(long jobId, MemoryAllowance memory) {

    /** No job: nothing is streamed, nothing is budgeted. */
    public static final ScrapeContext NONE = new ScrapeContext(0, MemoryAllowance.UNBOUNDED);
}
