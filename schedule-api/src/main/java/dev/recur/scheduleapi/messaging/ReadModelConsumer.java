package dev.recur.scheduleapi.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.recur.common.event.JobRecord;
import dev.recur.common.event.ScheduleStats;
import dev.recur.scheduleapi.service.ReadModelService;
import io.smallrye.common.annotation.Blocking;

/** Feeds the statistics and job history that delivery publishes into schedule-api's read model. */
@ApplicationScoped
public class ReadModelConsumer {

    @Inject
    ReadModelService readModel;

    @Incoming("schedule-stats")
    @Blocking
    public void onStats(ConsumerRecord<String, ScheduleStats> record) {
        // a tombstone or an unreadable record carries nothing to keep
        if (record.value() != null) {
            readModel.record(record.value());
        }
    }

    @Incoming("job-history")
    @Blocking
    public void onJob(ConsumerRecord<String, JobRecord> record) {
        if (record.value() != null) {
            readModel.record(record.value());
        }
    }
}
