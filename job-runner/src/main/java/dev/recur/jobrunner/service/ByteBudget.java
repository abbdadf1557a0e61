package dev.recur.jobrunner.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

import dev.recur.jobrunner.client.MemoryAllowance;

/**
 * The bytes of fetched pages the service holds at once: at most {@code total} over all owners and {@code perOwner}
 * for one owner, so that one tenant's large pages wait (or stream to the claim-check store) instead of filling the
 * heap for everyone. A reservation that does not fit is refused, and the caller called back, in the order of refusal,
 * when bytes are given back; a waiter over its owner's share does not hold back other owners.
 */
final class ByteBudget {

    private final ReentrantLock lock = new ReentrantLock();
    private final long total;
    private final long perOwner;
    private final Map<String, Long> heldByOwner = new HashMap<>();
    /** Callers refused a reservation, oldest first, with the owner they reserve for. */
    private final LinkedHashMap<Runnable, String> waiting = new LinkedHashMap<>();

    private long held;

    ByteBudget(long total, long perOwner) {
        this.total = total;
        this.perOwner = perOwner;
    }

    long held() {
        lock.lock();
        try {
            return held;
        } finally {
            lock.unlock();
        }
    }

    long heldBy(String owner) {
        lock.lock();
        try {
            return heldByOwner.getOrDefault(owner, 0L);
        } finally {
            lock.unlock();
        }
    }

    /** A job's share: what it reserves counts against {@code owner}; {@link Allowance#releaseAll} ends it. */
    Allowance allowance(String owner) {
        return new Allowance(owner);
    }

    private boolean tryReserve(String owner, long bytes, Runnable whenFreed) {
        lock.lock();
        try {
            long ownerHeld = heldByOwner.getOrDefault(owner, 0L);
            if (held + bytes <= total && ownerHeld + bytes <= perOwner) {
                held += bytes;
                heldByOwner.put(owner, ownerHeld + bytes);
                waiting.remove(whenFreed);
                return true;
            }
            waiting.putIfAbsent(whenFreed, owner);
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void release(String owner, long bytes) {
        if (bytes <= 0) {
            return;
        }
        List<Runnable> wake;
        lock.lock();
        try {
            held -= bytes;
            heldByOwner.computeIfPresent(owner, (o, n) -> n - bytes <= 0 ? null : n - bytes);
            // every waiter tries again; those that still do not fit queue up again in the same order
            wake = new ArrayList<>(waiting.keySet());
        } finally {
            lock.unlock();
        }
        wake.forEach(Runnable::run);
    }

    /** The bytes one job holds, so that whatever it still holds when it ends is given back. */
    final class Allowance implements MemoryAllowance {

        private final String owner;
        private final List<Runnable> refused = new ArrayList<>();
        private long mine;
        private boolean ended;

        private Allowance(String owner) {
            this.owner = owner;
        }

        @Override
        public boolean tryReserve(long bytes, Runnable whenFreed) {
            synchronized (this) {
                if (ended) {
                    // the job is over: a late reservation (a wake-up racing its end) must not hold bytes for good
                    return false;
                }
            }
            if (ByteBudget.this.tryReserve(owner, bytes, whenFreed)) {
                boolean late;
                synchronized (this) {
                    late = ended;
                    if (!late) {
                        mine += bytes;
                    }
                }
                if (late) {
                    ByteBudget.this.release(owner, bytes);
                    return false;
                }
                return true;
            }
            synchronized (this) {
                refused.add(whenFreed);
            }
            return false;
        }

        @Override
        public void release(long bytes) {
            long given;
            synchronized (this) {
                // never more than the job holds: what its end already gave back is not given twice
                given = Math.max(0, Math.min(bytes, mine));
                mine -= given;
            }
            ByteBudget.this.release(owner, given);
        }

        /** Gives back everything the job still holds. */
        void releaseAll() {
            long left;
            List<Runnable> forget;
            synchronized (this) {
                ended = true;
                left = mine;
                mine = 0;
                forget = new ArrayList<>(refused);
                refused.clear();
            }
            lock.lock();
            try {
                forget.forEach(waiting::remove);
            } finally {
                lock.unlock();
            }
            ByteBudget.this.release(owner, left);
        }
    }
}
