package dev.recur.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.Storage;
import dev.recur.common.event.JobRecord;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.ResultPage;
import dev.recur.common.event.ResultsRef;
import dev.recur.common.event.ScheduleStats;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.common.storage.ResultsBucket;
import dev.recur.delivery.service.ResultsExpirySweep;
import dev.recur.delivery.storage.ResultsStore;
import dev.recur.testinfra.gcs.GcsEmulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class ResultsAndStatsQuarkusTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    S3Client s3;

    @Inject
    ResultsExpirySweep sweep;

    @Inject
    ResultsStore resultsStore;

    private final Fixtures.TopicReader<JobRecord> history =
            new Fixtures.TopicReader<>(Topics.JOB_HISTORY, JobRecord.class);
    private final Fixtures.TopicReader<ScheduleStats> stats =
            new Fixtures.TopicReader<>(Topics.SCHEDULE_STATS, ScheduleStats.class);

    @AfterEach
    void closeReaders() {
        history.close();
        stats.close();
    }

    @Test
    void shouldStoreResultsAndUploadOnceWhenTheSameJobIsConsumedTwice() throws Exception {
        long scheduleId = Fixtures.newScheduleId();
        String prefix = "out/" + UUID.randomUUID();
        JobResult job = Fixtures.result(
                scheduleId,
                0,
                Fixtures.item().put("storage_type", "s3").put("storage_url", "s3://user-bucket/" + prefix + "/"),
                200,
                JobStatus.DONE);
        String expected = "{\"results\":" + EventJson.mapper().writeValueAsString(job.results()) + "}";

        Fixtures.publish(job);

        String userKey = prefix + "/" + job.jobId() + ".json";
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(objects("user-bucket", prefix)).hasSize(1));
        assertThat(json(read("user-bucket", userKey))).isEqualTo(json(expected));
        Instant firstUpload = objects("user-bucket", prefix).get(0).lastModified();
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(recordsOf(job.jobId())).hasSize(1));
        JobRecord record = recordsOf(job.jobId()).get(0);
        assertThat(record.resultsRef().bucket()).isEqualTo("recur-results");
        // a small document: a line of its batch's results pack
        assertThat(record.resultsRef().key()).startsWith("results/packs/").endsWith(".ndjson");
        assertThat(record.resultsRef().offset()).isNotNull();
        assertThat(json(stored(record.resultsRef()))).isEqualTo(json(expected));
        assertThat(record.resultStatus()).isEqualTo(JobStatus.DONE);

        JobResult marker = Fixtures.result(scheduleId, 1, Fixtures.item(), 200, JobStatus.DONE);
        Fixtures.publish(job, marker);

        // same schedule, same partition: once the marker is in, the redelivered job was consumed before it
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(recordsOf(marker.jobId())).hasSize(1));
        assertThat(recordsOf(job.jobId())).hasSize(1);
        assertThat(objects("user-bucket", prefix))
                .singleElement()
                .satisfies(o -> assertThat(o.lastModified()).isEqualTo(firstUpload));
        assertThat(json(read("user-bucket", userKey))).isEqualTo(json(expected));
    }

    @Test
    void shouldUploadToGcsUnderThePrefixOnceWhenTheSameJobIsConsumedTwice() throws Exception {
        // the GCS emulator test-infra starts (GcsTestResource): the same checks as for S3
        com.google.cloud.storage.Storage gcs =
                dev.recur.testinfra.gcs.GcsEmulator.shared().client();
        long scheduleId = Fixtures.newScheduleId();
        String prefix = "gcs-out/" + UUID.randomUUID();
        JobResult job = Fixtures.result(
                scheduleId,
                0,
                Fixtures.item().put("storage_type", "gcs").put("storage_url", "gs://tenant-gcs-bucket/" + prefix + "/"),
                200,
                JobStatus.DONE);
        String expected = "{\"results\":" + EventJson.mapper().writeValueAsString(job.results()) + "}";
        com.google.cloud.storage.BlobId blob =
                com.google.cloud.storage.BlobId.of("tenant-gcs-bucket", prefix + "/" + job.jobId() + ".json");

        Fixtures.publish(job);

        await().atMost(WAIT).untilAsserted(() -> assertThat(gcs.get(blob)).isNotNull());
        long firstGeneration = gcs.get(blob).getGeneration();
        assertThat(json(new String(gcs.readAllBytes(blob), java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo(json(expected));
        assertThat(gcs.get(blob).getContentType()).isEqualTo("application/json");

        JobResult marker = Fixtures.result(scheduleId, 1, Fixtures.item(), 200, JobStatus.DONE);
        Fixtures.publish(job, marker);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(recordsOf(marker.jobId())).hasSize(1));
        // the redelivered job was logged already: no second upload
        assertThat(gcs.get(blob).getGeneration()).isEqualTo(firstGeneration);
        assertThat(gcs.list("tenant-gcs-bucket", com.google.cloud.storage.Storage.BlobListOption.prefix(prefix))
                        .iterateAll())
                .hasSize(1);
    }

    @Test
    void shouldCountEachJobOnceWhenResultsAreConsumedTwice() {
        long scheduleId = Fixtures.newScheduleId();
        JobResult a = Fixtures.result(scheduleId, 0, Fixtures.item(), 200, JobStatus.DONE);
        JobResult b = Fixtures.result(scheduleId, 1, Fixtures.item(), 200, JobStatus.DONE);
        JobResult c = Fixtures.result(scheduleId, 2, Fixtures.item(), 429, JobStatus.FAULTED);
        JobResult marker = Fixtures.result(scheduleId, 3, Fixtures.item(), 200, JobStatus.DONE);

        Fixtures.publish(a, b, c);
        Fixtures.publish(c, a, b);
        Fixtures.publish(marker);

        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(latestStats(scheduleId).totalJobCount()).isEqualTo(4));
        ScheduleStats latest = latestStats(scheduleId);
        assertThat(latest.owner()).isEqualTo("alice");
        assertThat(latest.jobCreateOutcomes())
                .containsExactly(
                        new ScheduleStats.CreateOutcome(200, 3, 0.75), new ScheduleStats.CreateOutcome(429, 1, 0.25));
        assertThat(latest.jobResultOutcomes())
                .containsExactly(
                        new ScheduleStats.ResultOutcome("done", 3, 0.75),
                        new ScheduleStats.ResultOutcome("faulted", 1, 0.25));
        Map<Long, Long> recordsPerJob = history.values().stream()
                .filter(r -> r.scheduleId() == scheduleId)
                .collect(Collectors.groupingBy(JobRecord::jobId, Collectors.counting()));
        assertThat(recordsPerJob)
                .containsOnlyKeys(a.jobId(), b.jobId(), c.jobId(), marker.jobId())
                .allSatisfy((id, count) -> assertThat(count).isEqualTo(1));
        JobRecord faulted = recordsOf(c.jobId()).get(0);
        assertThat(faulted.resultStatus()).isEqualTo(JobStatus.FAULTED);
        assertThat(faulted.createStatusCode()).isEqualTo(429);
        assertThat(faulted.error()).isEqualTo("scraper answered 429");
    }

    @Test
    void shouldCountSkippedRunsOncePerRunWhenItsJobsCarryThemAndAreConsumedTwice() {
        long scheduleId = Fixtures.newScheduleId();
        Instant late = Fixtures.SCHEDULED_FOR;
        Instant next = late.plusSeconds(60);
        // the late run after 31 skipped minutes, three jobs each carrying them; the next run, on time, none
        List<JobResult> lateRun = java.util.stream.IntStream.range(0, 3)
                .mapToObj(i -> Fixtures.result(
                                scheduleId,
                                late,
                                i,
                                Fixtures.item(),
                                200,
                                JobStatus.DONE,
                                Fixtures.pages("<p>" + i + "</p>"),
                                null)
                        .withSkippedRuns(31))
                .toList();
        JobResult onTime = Fixtures.result(
                scheduleId, next, 0, Fixtures.item(), 200, JobStatus.DONE, Fixtures.pages("<p/>"), null);
        // a run after 2 more skipped, its first item's job redelivered after the other
        Instant after = next.plusSeconds(180);
        JobResult afterFirst = Fixtures.result(
                        scheduleId, after, 0, Fixtures.item(), 200, JobStatus.DONE, Fixtures.pages("<p/>"), null)
                .withSkippedRuns(2);
        JobResult afterSecond = Fixtures.result(
                        scheduleId, after, 1, Fixtures.item(), 429, JobStatus.FAULTED, List.of(), null)
                .withSkippedRuns(2);

        Fixtures.publish(lateRun.get(1), lateRun.get(0));
        Fixtures.publish(lateRun.get(0), lateRun.get(2), lateRun.get(1), onTime, afterSecond);
        Fixtures.publish(afterFirst, afterSecond, afterFirst);

        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(latestStats(scheduleId).totalJobCount()).isEqualTo(6));
        assertThat(latestStats(scheduleId).skippedRunCount()).isEqualTo(33);
    }

    @Test
    void shouldStoreClaimCheckedResultsWhenResultsRefIsSet() throws Exception {
        long scheduleId = Fixtures.newScheduleId();
        List<ResultPage> pages = Fixtures.pages("x".repeat(200_000));
        byte[] claim = EventJson.mapper().writeValueAsBytes(pages);
        JobResult job = claimChecked(scheduleId, claim);

        Fixtures.publish(job);

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(recordsOf(job.jobId())).hasSize(1));
        ResultsRef recorded = recordsOf(job.jobId()).get(0).resultsRef();
        JsonNode stored = json(stored(recorded));
        assertThat(stored.get("results")).isEqualTo(EventJson.mapper().readTree(claim));
        assertThat(recorded.sizeBytes()).isEqualTo(stored(recorded).length());
    }

    @Test
    void shouldStoreWholePageWhenClaimCheckedPageIsOver20Megabytes() throws Exception {
        long scheduleId = Fixtures.newScheduleId();
        // over Jackson's default maximum string length (20,000,000 chars): job-runner claim-checks such pages
        String content = "<" + "a".repeat(21 * 1024 * 1024) + ">";
        byte[] claim = EventJson.mapper().writeValueAsBytes(Fixtures.pages(content));
        JobResult job = claimChecked(scheduleId, claim);

        Fixtures.publish(job);

        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(recordsOf(job.jobId())).hasSize(1));
        byte[] stored = s3.getObjectAsBytes(b -> b.bucket("recur-results").key("results/" + job.jobId() + ".json"))
                .asByteArray();
        // the pages re-serialized by the same mapper: the document is the claim wrapped in {"results": ...}
        byte[] expected = ("{\"results\":" + new String(claim, java.nio.charset.StandardCharsets.UTF_8) + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(stored.length).isEqualTo(expected.length);
        assertThat(stored).isEqualTo(expected);
        assertThat(recordsOf(job.jobId()).get(0).resultsRef().sizeBytes()).isEqualTo(expected.length);
    }

    @Test
    void shouldFaultJobAndKeepConsumingWhenItsClaimCheckIsMissing() throws Exception {
        long scheduleId = Fixtures.newScheduleId();
        JobResult probe = Fixtures.result(scheduleId, 0, Fixtures.item(), 200, JobStatus.DONE);
        // a claim check that no retry can read (expired or deleted): it must not hold the partition
        ResultsRef missing =
                new ResultsRef("recur-results", "claims/" + probe.jobId() + "-gone.json", 10, "application/json", null);
        JobResult lost = Fixtures.result(scheduleId, 0, Fixtures.item(), 200, JobStatus.DONE, null, missing);
        JobResult next = Fixtures.result(scheduleId, 1, Fixtures.item(), 200, JobStatus.DONE);

        Fixtures.publish(lost);
        Fixtures.publish(next);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(recordsOf(lost.jobId())).hasSize(1);
            assertThat(recordsOf(next.jobId())).hasSize(1);
        });
        JobRecord faulted = recordsOf(lost.jobId()).get(0);
        assertThat(faulted.resultStatus()).isEqualTo(JobStatus.FAULTED);
        assertThat(faulted.error()).startsWith("results lost: claim check").contains("does not exist");
        assertThat(json(stored(faulted.resultsRef())).get("results")).isEmpty();
        assertThat(recordsOf(next.jobId()).get(0).resultStatus()).isEqualTo(JobStatus.DONE);
    }

    @Test
    void shouldReadClaimChecksOnlyFromTheResultsBucketsClaimsPrefixWhateverTheRecordNames() throws Exception {
        long scheduleId = Fixtures.newScheduleId();
        JobResult probe = Fixtures.result(scheduleId, 0, Fixtures.item(), 200, JobStatus.DONE);
        byte[] secret = "[{\"content\":\"TOP SECRET of another tenant\"}]".getBytes(StandardCharsets.UTF_8);
        s3.putObject(
                b -> b.bucket("user-bucket").key("private/" + probe.jobId() + ".json"), RequestBody.fromBytes(secret));
        s3.putObject(
                b -> b.bucket("recur-results").key("results/other-" + probe.jobId() + ".json"),
                RequestBody.fromBytes(secret));
        List<JobResult> pointed = List.of(
                Fixtures.result(
                        scheduleId,
                        0,
                        Fixtures.item(),
                        200,
                        JobStatus.DONE,
                        null,
                        new ResultsRef(
                                "user-bucket",
                                "private/" + probe.jobId() + ".json",
                                secret.length,
                                "application/json",
                                null)),
                Fixtures.result(
                        scheduleId,
                        1,
                        Fixtures.item(),
                        200,
                        JobStatus.DONE,
                        null,
                        new ResultsRef(
                                "recur-results",
                                "results/other-" + probe.jobId() + ".json",
                                secret.length,
                                "application/json",
                                null)),
                Fixtures.result(
                        scheduleId,
                        2,
                        Fixtures.item(),
                        200,
                        JobStatus.DONE,
                        null,
                        new ResultsRef(
                                "recur-results",
                                "claims/../results/other-" + probe.jobId() + ".json",
                                secret.length,
                                "application/json",
                                null)));

        pointed.forEach(Fixtures::publish);

        await().atMost(WAIT)
                .untilAsserted(() ->
                        pointed.forEach(r -> assertThat(recordsOf(r.jobId())).hasSize(1)));
        for (JobResult r : pointed) {
            JobRecord record = recordsOf(r.jobId()).get(0);
            assertThat(record.resultStatus()).isEqualTo(JobStatus.FAULTED);
            assertThat(record.error())
                    .startsWith("results lost: claim check")
                    .contains("is not a claim check of the results bucket");
            assertThat(stored(record.resultsRef())).doesNotContain("SECRET");
        }
    }

    @Test
    void shouldFaultAClaimCheckOverTheSizeLimitWithoutReadingIt() throws Exception {
        long scheduleId = Fixtures.newScheduleId();
        JobResult small = claimChecked(scheduleId, "[{\"content\":\"small\"}]".getBytes(StandardCharsets.UTF_8));
        // the record says the claim check holds 200 MiB: more than recur.results.claims.max-bytes (128 MiB)
        ResultsRef ref = small.resultsRef();
        JobResult huge = Fixtures.result(
                scheduleId,
                0,
                Fixtures.item(),
                200,
                JobStatus.DONE,
                null,
                new ResultsRef(ref.bucket(), ref.key(), 200L * 1024 * 1024, ref.contentType(), null));

        Fixtures.publish(huge);

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(recordsOf(huge.jobId())).hasSize(1));
        JobRecord record = recordsOf(huge.jobId()).get(0);
        assertThat(record.resultStatus()).isEqualTo(JobStatus.FAULTED);
        assertThat(record.error()).contains("holds 209715200 bytes, more than recur.results.claims.max-bytes");
    }

    @Test
    void shouldDeleteResultsWhenRetentionHasPassed() {
        long scheduleId = Fixtures.newScheduleId();
        // a run of its own, long ago, so that the sweep leaves the other tests' results alone; its document is over
        // recur.results.pack.document-max-bytes, so it is stored alone and expires by its job's time
        Instant longAgo = Instant.parse("2001-01-01T00:00:00Z");
        JobResult old = Fixtures.result(
                scheduleId,
                longAgo,
                0,
                Fixtures.item(),
                200,
                JobStatus.DONE,
                Fixtures.pages("o".repeat(300_000)),
                null);
        Fixtures.publish(old);
        String key = "results/" + old.jobId() + ".json";
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(recordsOf(old.jobId())).hasSize(1));
        assertThat(recordsOf(old.jobId()).get(0).resultsRef().key()).isEqualTo(key);
        assertThat(recordsOf(old.jobId()).get(0).resultsRef().offset()).isNull();

        // the job finished at longAgo + 4 s; retention is 24 h
        sweep.sweep(longAgo.plus(Duration.ofHours(24)));
        assertThat(read("recur-results", key)).isNotEmpty();

        sweep.sweep(longAgo.plus(Duration.ofHours(24)).plusSeconds(5));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("recur-results", key))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void shouldDeletePacksByTheTimeInTheirKeysWhenRetentionHasPassed() {
        // packs written long ago (as a crashed batch leaves them too: no job log row points to them), put in an
        // order other than their time's; the sweep must delete the expired ones only
        Instant t0 = Instant.parse("2001-02-01T00:00:00Z");
        String newest = ResultsBucket.packKey(t0.plus(Duration.ofHours(2)), 3);
        String oldest = ResultsBucket.packKey(t0, 1);
        String middle = ResultsBucket.packKey(t0.plus(Duration.ofMinutes(30)), 2);
        for (String key : List.of(newest, oldest, middle)) {
            s3.putObject(b -> b.bucket("recur-results").key(key), RequestBody.fromString("{\"results\":[]}\n"));
        }

        // cutoff t0 + 1 h: the first two are older
        int deleted = sweep.sweep(t0.plus(Duration.ofHours(25)));

        assertThat(deleted).isGreaterThanOrEqualTo(2);
        for (String gone : List.of(oldest, middle)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> read("recur-results", gone))
                    .isInstanceOf(NoSuchKeyException.class);
        }
        assertThat(read("recur-results", newest)).isNotEmpty();
        s3.deleteObject(b -> b.bucket("recur-results").key(newest));
    }

    @Test
    void shouldPackSmallDocumentsOfABatchAndStoreLargeOnesAlone() {
        byte[] small1 = "{\"results\":[{\"content\":\"one\"}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] large = ("{\"results\":[{\"content\":\"" + "l".repeat(300_000) + "\"}]}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] small2 = "{\"results\":[]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long base = Fixtures.newScheduleId();

        List<ResultsRef> refs = resultsStore.store(
                List.of(
                        new ResultsStore.Document(base, small1),
                        new ResultsStore.Document(base + 1, large),
                        new ResultsStore.Document(base + 2, small2)),
                Runnable::run);

        assertThat(refs.get(0).key())
                .startsWith("results/packs/")
                .isEqualTo(refs.get(2).key());
        assertThat(refs.get(0).offset()).isZero();
        assertThat(refs.get(2).offset()).isEqualTo(small1.length + 1L);
        assertThat(refs.get(1).key()).isEqualTo("results/" + (base + 1) + ".json");
        assertThat(refs.get(1).offset()).isNull();
        List<byte[]> documents = List.of(small1, large, small2);
        for (int i = 0; i < 3; i++) {
            assertThat(stored(refs.get(i)).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(documents.get(i));
            assertThat(refs.get(i).sizeBytes()).isEqualTo(documents.get(i).length);
            assertThat(resultsStore.load(
                            refs.get(i).key(),
                            refs.get(i).offset(),
                            refs.get(i).offset() == null ? null : refs.get(i).sizeBytes()))
                    .isEqualTo(documents.get(i));
        }
        // the pack is NDJSON: one document a line
        assertThat(read("recur-results", refs.get(0).key()))
                .isEqualTo(new String(small1, java.nio.charset.StandardCharsets.UTF_8) + "\n{\"results\":[]}\n");
    }

    @Test
    void shouldUploadToGcsEmulatorOnceWhenTheSameGcsJobIsConsumedTwice() throws Exception {
        // the real Firebase Storage emulator (GcsTestResource), reached through delivery's own configuration
        long scheduleId = Fixtures.newScheduleId();
        String prefix = "daily-" + UUID.randomUUID();
        JobResult job = Fixtures.result(
                scheduleId,
                0,
                Fixtures.item().put("storage_type", "gcs").put("storage_url", "gs://user-gcs/" + prefix),
                200,
                JobStatus.DONE);
        BlobId blob = BlobId.of("user-gcs", prefix + "/" + job.jobId() + ".json");
        JsonNode expected = EventJson.mapper().valueToTree(java.util.Map.of("results", job.results()));

        try (Storage storage = GcsEmulator.shared().client()) {
            Fixtures.publish(job);

            await().atMost(WAIT)
                    .ignoreExceptions()
                    .untilAsserted(() -> assertThat(EventJson.mapper().readTree(storage.readAllBytes(blob)))
                            .isEqualTo(expected));
            Blob first = storage.get(blob);
            assertThat(first.getContentType()).isEqualTo("application/json");

            JobResult marker = Fixtures.result(scheduleId, 1, Fixtures.item(), 200, JobStatus.DONE);
            Fixtures.publish(job, marker);
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(recordsOf(marker.jobId())).hasSize(1));

            assertThat(storage.list("user-gcs", Storage.BlobListOption.prefix(prefix + "/"))
                            .iterateAll())
                    .singleElement()
                    .satisfies(b -> assertThat(b.getGeneration()).isEqualTo(first.getGeneration()));
            assertThat(EventJson.mapper().readTree(storage.readAllBytes(blob))).isEqualTo(expected);
        }
    }

    /** A job whose results are the claim check {@code claim}, stored where job-runner would store it. */
    private JobResult claimChecked(long scheduleId, byte[] claim) throws Exception {
        JobResult probe = Fixtures.result(scheduleId, 0, Fixtures.item(), 200, JobStatus.DONE);
        String claimKey = "claims/" + probe.jobId() + ".json";
        s3.putObject(b -> b.bucket("recur-results").key(claimKey), RequestBody.fromBytes(claim));
        ResultsRef ref = new ResultsRef(
                "recur-results",
                claimKey,
                claim.length,
                "application/json",
                java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(claim)));
        return Fixtures.result(scheduleId, 0, Fixtures.item(), 200, JobStatus.DONE, null, ref);
    }

    private List<JobRecord> recordsOf(long jobId) {
        return history.values().stream().filter(r -> r.jobId() == jobId).toList();
    }

    private ScheduleStats latestStats(long scheduleId) {
        List<ScheduleStats> all = stats.values().stream()
                .filter(s -> s.scheduleId() == scheduleId)
                .toList();
        assertThat(all).isNotEmpty();
        return all.get(all.size() - 1);
    }

    private List<S3Object> objects(String bucket, String prefix) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents();
    }

    /** The stored bytes a ref points to: the whole object, or its range of a results pack. */
    private String stored(ResultsRef ref) {
        return s3.getObjectAsBytes(b -> b.bucket(ref.bucket()).key(ref.key()).range(ref.httpRange()))
                .asUtf8String();
    }

    private String read(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }

    private static JsonNode json(String text) {
        try {
            return EventJson.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
