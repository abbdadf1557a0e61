package dev.recur.jobrunner.service;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.log.JobMdc;
import io.opentelemetry.api.trace.Span;

/** One job of a slice, with what its attempts have learnt so far. Only one thread works on it at a time. */
final class JobTask {

    final SliceWork slice;
    final int indexInSlice;
    final long jobId;
    final ObjectNode item;
    final String source;
    int attempts;
    Instant createdAt;
    /** The heap the running attempt holds; null between attempts. */
    volatile ByteBudget.Allowance memory;
    /** The job's span, from its first attempt until its result; null with tracing off. */
    Span span;

    JobTask(SliceWork slice, int indexInSlice, long jobId, ObjectNode item, String source) {
        this.slice = slice;
        this.indexInSlice = indexInSlice;
        this.jobId = jobId;
        this.item = item;
        this.source = source;
    }

    String owner() {
        return slice.dueRun().owner() == null ? "" : slice.dueRun().owner();
    }

    /** The job's ids in the logging context, for the lines logged about it. */
    JobMdc logContext() {
        return JobMdc.of(
                slice.dueRun().scheduleId(),
                slice.dueRun().runId(),
                jobId,
                slice.dueRun().owner());
    }

    int itemIndex() {
        return slice.dueRun().itemOffset() + indexInSlice;
    }
}
