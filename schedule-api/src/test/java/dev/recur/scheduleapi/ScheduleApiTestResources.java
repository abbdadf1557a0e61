package dev.recur.scheduleapi;

import dev.recur.testinfra.quarkus.CompositeTestResource;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.PostgresTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;

/**
 * What schedule-api's Quarkus tests run against: Kafka, its database {@code recur_api}, and S3 with the results bucket
 * and a tenant's bucket. Each test class carries {@code @QuarkusTestResource(ScheduleApiTestResources.class)}.
 */
public class ScheduleApiTestResources extends CompositeTestResource {

    public ScheduleApiTestResources() {
        super(
                Part.of(new KafkaTestResource()),
                Part.of(new PostgresTestResource(), "database", "recur_api"),
                Part.of(new S3TestResource(), "buckets", "recur-results,tenant-private"));
    }
}
