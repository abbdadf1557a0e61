package dev.recur.common.json;

import dev.recur.common.event.ScheduleSnapshot;

/** Reads {@link ScheduleSnapshot} values. */
public final class ScheduleSnapshotDeserializer extends EventDeserializer<ScheduleSnapshot> {

    public ScheduleSnapshotDeserializer() {
        super(ScheduleSnapshot.class);
    }
}
