package dev.recur.jobrunner.service;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hands out jobs round robin across owners, with a cap per owner and one over all, so that one owner's
 * run of 5,000 items cannot hold back another owner's run of one: the newcomer's job is the next one
 * started when a call ends.
 */
final class FairDispatcher {

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, ArrayDeque<JobTask>> queues = new HashMap<>();
    private final ArrayDeque<String> rotation = new ArrayDeque<>();
    private final Map<String, Integer> running = new HashMap<>();
    private final int maxInFlight;
    private final int maxPerOwner;
    private int inFlight;

    FairDispatcher(int maxInFlight, int maxPerOwner) {
        this.maxInFlight = Math.max(1, maxInFlight);
        this.maxPerOwner = Math.max(1, maxPerOwner);
    }

    void add(JobTask task) {
        lock.lock();
        try {
            queues.computeIfAbsent(task.owner(), owner -> {
                        rotation.addLast(owner);
                        return new ArrayDeque<>();
                    })
                    .addLast(task);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next job, from the next owner in turn that is under its cap; null when every slot is taken or no
     * queued job may start now.
     */
    JobTask tryTake() {
        lock.lock();
        try {
            if (inFlight >= maxInFlight) {
                return null;
            }
            for (int i = rotation.size(); i > 0; i--) {
                String owner = rotation.pollFirst();
                int ownerRunning = running.getOrDefault(owner, 0);
                if (ownerRunning >= maxPerOwner) {
                    rotation.addLast(owner);
                    continue;
                }
                ArrayDeque<JobTask> queue = queues.get(owner);
                JobTask task = queue.pollFirst();
                if (queue.isEmpty()) {
                    queues.remove(owner);
                } else {
                    rotation.addLast(owner);
                }
                running.put(owner, ownerRunning + 1);
                inFlight++;
                return task;
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** A job taken by {@link #tryTake()} has finished its attempt. */
    void done(JobTask task) {
        lock.lock();
        try {
            running.computeIfPresent(task.owner(), (owner, n) -> n <= 1 ? null : n - 1);
            inFlight--;
        } finally {
            lock.unlock();
        }
    }

    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }
}
