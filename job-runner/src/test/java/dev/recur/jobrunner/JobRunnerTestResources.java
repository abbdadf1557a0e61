package dev.recur.jobrunner;

import dev.recur.testinfra.quarkus.CompositeTestResource;
import dev.recur.testinfra.quarkus.KafkaTestResource;
import dev.recur.testinfra.quarkus.S3TestResource;

/**
 * What job-runner's Quarkus tests run against: Kafka, S3 with the results bucket (claim checks), and WireMock as the
 * scraper ({@link ScraperWireMockResource.InjectScraper} fields receive it). Each test class carries
 * {@code @QuarkusTestResource(JobRunnerTestResources.class)}.
 */
public class JobRunnerTestResources extends CompositeTestResource {

    public JobRunnerTestResources() {
        super(
                Part.of(new KafkaTestResource()),
                Part.of(new S3TestResource(), "buckets", "recur-results"),
                Part.of(new ScraperWireMockResource()));
    }
}
