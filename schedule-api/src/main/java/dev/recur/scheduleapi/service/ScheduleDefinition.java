package dev.recur.scheduleapi.service;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.event.CatchUp;
import dev.recur.common.event.Overlap;

/** A validated schedule definition, as a create or replace request carries it. */
public record ScheduleDefinition(
        String cron,
        String timezone,
        List<ObjectNode> items,
        Instant startTime,
        Instant endTime,
        CatchUp catchUp,
        Overlap overlap,
        int jitterSeconds) {}
