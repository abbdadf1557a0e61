package dev.recur.common.json;

import dev.recur.common.event.DueRun;

/** Reads {@link DueRun} values. */
public final class DueRunDeserializer extends EventDeserializer<DueRun> {

    public DueRunDeserializer() {
        super(DueRun.class);
    }
}
