package dev.recur.delivery;

import dev.recur.testinfra.gcs.GcsTestResource;
import dev.recur.testinfra.quarkus.CompositeTestResource;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.PostgresTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;

/**
 * What delivery's Quarkus tests run against: Kafka, its database {@code recur_delivery}, S3 with the results bucket
 * and the buckets tenants deliver to, a GCS server, and the callback receiver. Each test class carries
 * {@code @QuarkusTestResource(DeliveryTestResources.class)}.
 */
public class DeliveryTestResources extends CompositeTestResource {

    public DeliveryTestResources() {
        super(
                Part.of(new KafkaTestResource()),
                Part.of(new PostgresTestResource(), "database", "recur_delivery"),
                Part.of(new S3TestResource(), "buckets", "recur-test,recur-results,user-bucket"),
                Part.of(new CallbackReceiverResource()),
                Part.of(new GcsTestResource()));
    }
}
