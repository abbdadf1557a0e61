package dev.recur.common.json;

import dev.recur.common.event.ScheduleStats;

/** Reads {@link ScheduleStats} values. */
public final class ScheduleStatsDeserializer extends EventDeserializer<ScheduleStats> {

    public ScheduleStatsDeserializer() {
        super(ScheduleStats.class);
    }
}
