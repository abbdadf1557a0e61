package dev.recur.jobrunner.service;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.recur.common.event.DueRun;
import io.opentelemetry.context.Context;

/**
 * The jobs of one due-run slice, i.e. of one record of the due-runs topic. Its results are published
 * together, in the transaction that also moves the consumer past the record: the slice is the unit
 * that a crash redoes.
 */
public final class SliceWork {

    private final DueRun dueRun;
    private final int partition;
    private final long offset;
    private final byte[][] results;
    private final AtomicInteger remaining;
    private final Consumer<SliceWork> onComplete;
    private volatile boolean abandoned;
    // with tracing on: the due run's context (from its record), and each job's, which its result carries on
    private Context runTrace = Context.root();
    private Context[] jobTraces;

    public SliceWork(DueRun dueRun, int partition, long offset, Consumer<SliceWork> onComplete) {
        this.dueRun = dueRun;
        this.partition = partition;
        this.offset = offset;
        int size = dueRun == null || dueRun.items() == null ? 0 : dueRun.items().size();
        this.results = new byte[size][];
        this.remaining = new AtomicInteger(size);
        this.onComplete = onComplete;
    }

    public DueRun dueRun() {
        return dueRun;
    }

    public int partition() {
        return partition;
    }

    public long offset() {
        return offset;
    }

    public int size() {
        return results.length;
    }

    /** True once the partition went to another consumer: the slice's remaining jobs are not run. */
    public boolean abandoned() {
        return abandoned;
    }

    public void abandon() {
        abandoned = true;
    }

    /** The trace context of the due run's record; {@link Context#root()} when it carried none. */
    public Context runTrace() {
        return runTrace;
    }

    /** Set before the slice's jobs are submitted, by the thread that submits them. */
    public void runTrace(Context context) {
        this.runTrace = context;
    }

    /** The trace context a job's result carries, null when tracing is off; only once every job has finished. */
    public Context jobTrace(int index) {
        return jobTraces == null ? null : jobTraces[index];
    }

    /** Records a job's serialized {@code JobResult}; the last one hands the slice to its completion callback. */
    void complete(int index, byte[] result) {
        complete(index, result, null);
    }

    /** Records a job's result and, with tracing on, the context of its job span. */
    void complete(int index, byte[] result, Context trace) {
        if (trace != null) {
            synchronized (this) {
                if (jobTraces == null) {
                    jobTraces = new Context[results.length];
                }
                jobTraces[index] = trace;
            }
        }
        results[index] = result;
        if (remaining.decrementAndGet() == 0) {
            onComplete.accept(this);
        }
    }

    /** Each job's {@code JobResult} as JSON, in item order; only once every job has finished. */
    public List<byte[]> results() {
        if (remaining.get() != 0) {
            throw new IllegalStateException("slice at offset " + offset + " is not finished");
        }
        return Arrays.asList(results);
    }
}
