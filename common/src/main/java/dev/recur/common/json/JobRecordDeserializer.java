package dev.recur.common.json;

import dev.recur.common.event.JobRecord;

/** Reads {@link JobRecord} values. */
public final class JobRecordDeserializer extends EventDeserializer<JobRecord> {

    public JobRecordDeserializer() {
        super(JobRecord.class);
    }
}
