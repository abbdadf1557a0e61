package dev.recur.jobrunner;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.recur.jobrunner.DueRunTraffic.dueRun;
import static dev.recur.jobrunner.DueRunTraffic.item;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.recur.common.event.JobResult;
import dev.recur.jobrunner.ScraperWireMockResource.InjectScraper;
import dev.recur.testinfra.Infra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** One owner's big run must not hold back another owner's small run; one owner stays under its in-flight cap. */
@QuarkusTest
@QuarkusTestResource(JobRunnerTestResources.class)
class FairnessQuarkusTest {

    private static final int BIG_ITEMS = 120;
    /** %test recur.job-runner.max-in-flight-per-owner */
    private static final int PER_OWNER_CAP = 4;

    @InjectScraper
    WireMockServer scraper;

    @Test
    void shouldStartSmallOwnersJobBeforeMostOfBigRunWhenBigRunIsQueuedFirst() {
        long bigSchedule = System.nanoTime() & 0xfffffffffL;
        long smallSchedule = bigSchedule + 1;
        scraper.stubFor(post("/v1/queries")
                .withRequestBody(matchingJsonPath("$.query", matching("big-" + bigSchedule + "-.*")))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withFixedDelay(200)
                        .withBody("{\"results\": [{\"content\": \"b\", \"page\": 1, \"status_code\": 200}]}")));
        scraper.stubFor(post("/v1/queries")
                .withRequestBody(matchingJsonPath("$.query", equalTo("small-" + smallSchedule)))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withBody("{\"results\": [{\"content\": \"s\", \"page\": 1, \"status_code\": 200}]}")));
        List<ObjectNode> bigItems = new ArrayList<>();
        for (int i = 0; i < BIG_ITEMS; i++) {
            bigItems.add(item("{\"source\": \"google\", \"query\": \"big-" + bigSchedule + "-" + i + "\"}"));
        }

        try (DueRunTraffic traffic = new DueRunTraffic(Infra.kafka().bootstrapServers())) {
            traffic.send(dueRun(bigSchedule, "big-owner", 0, BIG_ITEMS, bigItems));
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(() -> scraper.verify(
                            moreThanOrExactly(PER_OWNER_CAP),
                            postRequestedFor(urlEqualTo("/v1/queries"))
                                    .withRequestBody(
                                            matchingJsonPath("$.query", matching("big-" + bigSchedule + "-.*")))));
            traffic.send(dueRun(
                    smallSchedule,
                    "small-owner",
                    0,
                    1,
                    List.of(item("{\"source\": \"google\", \"query\": \"small-" + smallSchedule + "\"}"))));

            JobResult small = traffic.awaitResults(smallSchedule, 1, Duration.ofSeconds(60))
                    .get(0)
                    .result();
            List<JobResult> big = traffic.awaitResults(bigSchedule, BIG_ITEMS, Duration.ofSeconds(120)).stream()
                    .map(DueRunTraffic.Received::result)
                    .toList();

            long bigStartedAfterSmall = big.stream()
                    .filter(r -> r.createdAt().isAfter(small.createdAt()))
                    .count();
            assertThat(bigStartedAfterSmall)
                    .as("big-run jobs started after the small run's job")
                    .isGreaterThan(BIG_ITEMS * 3 / 4);
            // calls in flight at the scraper, from its own log: a job's [created_at, updated_at] would also span the
            // backoff between the attempts of a retried job, when it holds no slot
            String attempts = big.stream()
                    .collect(Collectors.groupingBy(JobResult::attempts, TreeMap::new, Collectors.counting()))
                    .toString();
            List<ServeEvent> bigCalls = scraper.getAllServeEvents().stream()
                    .filter(e -> e.getRequest().getBodyAsString().contains("big-" + bigSchedule + "-"))
                    .toList();
            assertThat(bigCalls).hasSizeGreaterThanOrEqualTo(BIG_ITEMS);
            assertThat(maxOverlap(bigCalls))
                    .as("big-run calls in flight at once (jobs by attempts: %s)", attempts)
                    .isLessThanOrEqualTo(PER_OWNER_CAP);
        }
    }

    private static com.github.tomakehurst.wiremock.client.CountMatchingStrategy moreThanOrExactly(int count) {
        return com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly(count);
    }

    /** The most scraper calls in flight at one instant: from a request's arrival to its answer's end. */
    private static int maxOverlap(List<ServeEvent> calls) {
        record Edge(Instant at, int delta) {}
        List<Edge> edges = new ArrayList<>();
        for (ServeEvent call : calls) {
            Instant arrived = call.getRequest().getLoggedDate().toInstant();
            edges.add(new Edge(arrived, 1));
            edges.add(new Edge(arrived.plusMillis(call.getTiming().getTotalTime()), -1));
        }
        edges.sort(Comparator.comparing(Edge::at).thenComparingInt(Edge::delta));
        int current = 0;
        int max = 0;
        for (Edge edge : edges) {
            current += edge.delta();
            max = Math.max(max, current);
        }
        return max;
    }
}
