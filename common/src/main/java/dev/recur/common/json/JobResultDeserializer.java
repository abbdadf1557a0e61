package dev.recur.common.json;

import dev.recur.common.event.JobResult;

/** Reads {@link JobResult} values. */
public final class JobResultDeserializer extends EventDeserializer<JobResult> {

    public JobResultDeserializer() {
        super(JobResult.class);
    }
}
