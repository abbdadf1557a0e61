package dev.recur.jobrunner.client;

/**
 * The heap one job may hold for what it fetches, out of its owner's and the service's byte budgets. A reservation is
 * all or nothing: it is granted at once, or the caller is told when to try again, and it holds nothing meanwhile.
 */
public interface MemoryAllowance {

    /** No budget: every reservation is granted (a backend used without a job runner, in tests). */
    MemoryAllowance UNBOUNDED = new MemoryAllowance() {
        @Override
        public boolean tryReserve(long bytes, Runnable whenFreed) {
            return true;
        }

        @Override
        public void release(long bytes) {}
    };

    /**
     * Reserves {@code bytes} and returns true, or returns false and runs {@code whenFreed} once (on the thread that
     * frees bytes) when trying again may succeed.
     */
    boolean tryReserve(long bytes, Runnable whenFreed);

    /** Gives back bytes reserved by {@link #tryReserve}. */
    void release(long bytes);
}
