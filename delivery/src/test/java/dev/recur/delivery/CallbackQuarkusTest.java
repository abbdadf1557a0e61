package dev.recur.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.recur.common.event.DeliveryDeadLetter;
import dev.recur.common.event.DeliveryKind;
import dev.recur.common.event.DeliveryReplay;
import dev.recur.common.event.JobResult;
import dev.recur.common.event.JobStatus;
import dev.recur.common.event.SigningSecret;
import dev.recur.common.event.Topics;
import dev.recur.common.json.EventJson;
import dev.recur.common.seal.CallbackSeal;
import dev.recur.common.signing.CallbackSignature;
import dev.recur.delivery.client.TenantSigningKeys;
import dev.recur.delivery.storage.TenantBucketLists;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DeliveryTestResources.class)
class CallbackQuarkusTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    DataSource dataSource;

    @Inject
    MeterRegistry registry;

    @Inject
    TenantSigningKeys tenantKeys;

    @Inject
    TenantBucketLists tenantBuckets;

    @Inject
    CallbackSeal seal;

    private final Fixtures.TopicReader<DeliveryDeadLetter> dlq =
            new Fixtures.TopicReader<>(Topics.DELIVERY_DLQ, DeliveryDeadLetter.class);

    @AfterEach
    void closeReader() {
        dlq.close();
    }

    @Test
    void shouldPostSignedJobObjectWhenJobIsDone() throws Exception {
        String path = "/hook/" + UUID.randomUUID();
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        JobResult job = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", CallbackReceiverResource.url(path)),
                200,
                JobStatus.DONE);

        Fixtures.publish(job);

        await().atMost(WAIT).untilAsserted(() -> assertThat(requests(path)).hasSize(1));
        LoggedRequest request = requests(path).get(0);
        assertThat(request.getHeader("X-Recur-Job-Id")).isEqualTo(Long.toString(job.jobId()));
        assertThat(request.getHeader("X-Recur-Schedule-Id")).isEqualTo(Long.toString(job.scheduleId()));
        assertThat(request.getHeader("X-Recur-Scheduled-For")).isEqualTo("2026-11-29 16:00:00");
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
        // alice has no secret of her own: the deployment's key signs
        assertThat(CallbackSignature.verify(
                        request.getHeader("X-Recur-Signature"),
                        request.getBody(),
                        "test-secret",
                        Instant.now(),
                        CallbackSignature.TOLERANCE))
                .isTrue();
        assertThat(CallbackSignature.verify(
                        request.getHeader("X-Recur-Signature"),
                        request.getBody(),
                        "other-secret",
                        Instant.now(),
                        CallbackSignature.TOLERANCE))
                .isFalse();
        JsonNode body = EventJson.mapper().readTree(request.getBody());
        assertThat(body.get("id").asLong()).isEqualTo(job.jobId());
        assertThat(body.get("id_str").asText()).isEqualTo(Long.toString(job.jobId()));
        assertThat(body.get("status").asText()).isEqualTo("done");
        assertThat(body.get("created_at").asText()).isEqualTo("2026-11-29 16:00:01");
        assertThat(body.get("updated_at").asText()).isEqualTo("2026-11-29 16:00:04");
        assertThat(body.get("source").asText()).isEqualTo("universal");
        assertThat(body.get("url").asText()).isEqualTo("https://example.com/p");
        assertThat(body.get("callback_url").asText()).isEqualTo(CallbackReceiverResource.url(path));
        assertThat(body.get("schedule_id").asLong()).isEqualTo(job.scheduleId());
        assertThat(body.get("run_id").asLong()).isEqualTo(job.runId());
        assertThat(body.get("_links").get(0).get("href").asText())
                .isEqualTo("https://recur.example.com/v1/queries/" + job.jobId());
        assertThat(body.get("_links").get(1).get("href").asText())
                .isEqualTo("https://recur.example.com/v1/queries/" + job.jobId() + "/results");
        assertThat(body.get("results")).isEqualTo(EventJson.mapper().valueToTree(job.results()));
    }

    @Test
    void shouldSignWithTheTenantsSecretFromTheSigningSecretsTopic() {
        String owner = "tenant-" + UUID.randomUUID();
        String path = "/tenant/" + UUID.randomUUID();
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        Fixtures.publishSigningSecret(SigningSecret.of(owner, "ss_1", "whsec_" + owner, Instant.now(), null));
        JobResult alices = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", CallbackReceiverResource.url(path)),
                200,
                JobStatus.DONE);
        JobResult job = JobResult.of(
                alices.jobId(),
                alices.scheduleId(),
                alices.runId(),
                owner,
                alices.scheduledFor(),
                0,
                alices.item(),
                200,
                JobStatus.DONE,
                null,
                alices.backend(),
                1,
                alices.createdAt(),
                alices.updatedAt(),
                alices.results(),
                null);

        // the secret and the result travel on different topics: the result goes once delivery holds the secret
        await().atMost(WAIT)
                .until(() ->
                        tenantKeys.signers(owner, Instant.now(), Duration.ZERO).size() == 1);

        Fixtures.publish(job);

        await().atMost(WAIT).untilAsserted(() -> assertThat(requests(path)).hasSize(1));
        LoggedRequest request = requests(path).get(0);
        String header = request.getHeader("X-Recur-Signature");
        assertThat(CallbackSignature.verify(
                        header, request.getBody(), "whsec_" + owner, Instant.now(), CallbackSignature.TOLERANCE))
                .as("the tenant's secret")
                .isTrue();
        assertThat(CallbackSignature.verify(
                        header, request.getBody(), "test-secret", Instant.now(), CallbackSignature.TOLERANCE))
                .as("the deployment's key")
                .isFalse();
    }

    @Test
    void shouldSucceedOnceAfterARetryWhenReceiverAnswers500Then200() {
        String path = "/flaky/" + UUID.randomUUID();
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path))
                        .inScenario(path)
                        .whenScenarioStateIs(STARTED)
                        .willReturn(aResponse().withStatus(500))
                        .willSetStateTo("recovered"));
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path))
                        .inScenario(path)
                        .whenScenarioStateIs("recovered")
                        .willReturn(aResponse().withStatus(200)));
        JobResult job = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", CallbackReceiverResource.url(path)),
                200,
                JobStatus.DONE);

        Fixtures.publish(job);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(requests(path)).hasSize(2);
            assertThat(pendingDeliveries(job.jobId())).isZero();
        });
        assertThat(requests(path))
                .extracting(r -> r.getHeader("X-Recur-Job-Id"))
                .containsOnly(Long.toString(job.jobId()));
        assertThat(dlq.values()).noneMatch(d -> d.jobId() == job.jobId());
    }

    @Test
    void shouldDeadLetterWhenReceiverKeepsFailing() {
        String path = "/broken/" + UUID.randomUUID();
        // the receiver's tokens (query, userinfo) must not reach the dead letter
        String withTokens = CallbackReceiverResource.url(path + "?token=s3cret").replace("http://", "http://u:pw@");
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path + "?token=s3cret"))
                        .willReturn(aResponse().withStatus(503)));
        JobResult job = Fixtures.result(
                Fixtures.newScheduleId(), 0, Fixtures.item().put("callback_url", withTokens), 200, JobStatus.DONE);

        Fixtures.publish(job);

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(deadLetters(job.jobId())).hasSize(1));
        DeliveryDeadLetter letter = deadLetters(job.jobId()).get(0);
        assertThat(letter.kind()).isEqualTo(DeliveryKind.CALLBACK);
        assertThat(letter.attempts()).isEqualTo(4);
        assertThat(letter.lastStatusCode()).isEqualTo(503);
        assertThat(letter.reason()).contains("503");
        assertThat(letter.target()).isEqualTo(CallbackReceiverResource.url(path) + "?…");
        assertThat(EventJson.write(letter))
                .asString(java.nio.charset.StandardCharsets.UTF_8)
                .doesNotContain("s3cret")
                .doesNotContain("pw@");
        assertThat(letter.scheduleId()).isEqualTo(job.scheduleId());
        assertThat(requests(path + "?token=s3cret")).hasSize(4);
        assertThat(pendingDeliveries(job.jobId())).isZero();
        // counters are shared by the tests of this JVM: at least this job's retries and dead letter; they are
        // counted right after the dead letter's transaction, which the relay may publish first
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(registry.counter("recur.delivery.retries", "kind", "callback")
                            .count())
                    .isGreaterThanOrEqualTo(3);
            assertThat(registry.counter("recur.delivery.dead.letters", "kind", "callback")
                            .count())
                    .isGreaterThanOrEqualTo(1);
            assertThat(registry.find("recur.delivery.callback.latency")
                            .tag("outcome", "failure")
                            .timer()
                            .count())
                    .isGreaterThanOrEqualTo(4);
        });
    }

    @Test
    void shouldDeliverOtherSchedulesCallbacksWhileOneReceiverIsSlow() {
        String slowPath = "/slow/" + UUID.randomUUID();
        String fastPath = "/fast/" + UUID.randomUUID();
        // slower than the callback timeout (10 s in %test): every attempt to it times out
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(slowPath))
                        .willReturn(aResponse().withStatus(200).withFixedDelay(30_000)));
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(fastPath)).willReturn(aResponse().withStatus(200)));
        JobResult slow = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", CallbackReceiverResource.url(slowPath)),
                200,
                JobStatus.DONE);
        JobResult fast = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", CallbackReceiverResource.url(fastPath)),
                200,
                JobStatus.DONE);

        Fixtures.publish(slow);
        Fixtures.publish(fast);

        // before the slow attempt's 10 s timeout ends: its row still shows no finished attempt
        await().atMost(Duration.ofSeconds(8))
                .untilAsserted(() -> assertThat(requests(fastPath)).hasSize(1));
        assertThat(finishedAttempts(slow.jobId())).isZero();
    }

    @Test
    void shouldRefuseCallbackWhenTargetIsAPrivateAddress() {
        JobResult metadata = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", "http://169.254.169.254/latest/meta-data/"),
                200,
                JobStatus.DONE);
        JobResult privateNet = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", "http://10.1.2.3:8080/hook"),
                200,
                JobStatus.DONE);

        Fixtures.publish(metadata, privateNet);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deadLetters(metadata.jobId())).hasSize(1);
            assertThat(deadLetters(privateNet.jobId())).hasSize(1);
        });
        assertThat(List.of(
                        deadLetters(metadata.jobId()).get(0),
                        deadLetters(privateNet.jobId()).get(0)))
                .allSatisfy(letter -> {
                    assertThat(letter.attempts()).isEqualTo(1);
                    assertThat(letter.lastStatusCode()).isNull();
                    assertThat(letter.reason()).contains("internal address");
                });
    }

    @Test
    void shouldDeadLetterAnUploadToTheSystemsBucketOrWithATraversingPrefixAtTheFirstAttempt() {
        // records on the topic are not trusted to have passed the API's check
        JobResult systemBucket = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("storage_type", "s3").put("storage_url", "s3://recur-results/claims"),
                200,
                JobStatus.DONE);
        JobResult traversal = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("storage_type", "s3").put("storage_url", "s3://user-bucket/a/../../b"),
                200,
                JobStatus.DONE);
        JobResult systemBucketOnGcs = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("storage_type", "gcs").put("storage_url", "gs://recur-results/claims"),
                200,
                JobStatus.DONE);

        Fixtures.publish(systemBucket, traversal, systemBucketOnGcs);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deadLetters(systemBucket.jobId())).hasSize(1);
            assertThat(deadLetters(traversal.jobId())).hasSize(1);
            assertThat(deadLetters(systemBucketOnGcs.jobId())).hasSize(1);
        });
        assertThat(deadLetters(systemBucketOnGcs.jobId()).get(0).kind()).isEqualTo(DeliveryKind.GCS);
        DeliveryDeadLetter refused = deadLetters(systemBucket.jobId()).get(0);
        assertThat(refused.kind()).isEqualTo(DeliveryKind.S3);
        assertThat(refused.attempts()).isEqualTo(1);
        assertThat(refused.reason()).contains("deployment's own bucket 'recur-results'");
        assertThat(deadLetters(traversal.jobId()).get(0).reason()).contains("'..' segment");
    }

    @Test
    void shouldNotFollowRedirectWhenReceiverAnswers302() {
        String path = "/moved/" + UUID.randomUUID();
        String target = "/target/" + UUID.randomUUID();
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path))
                        .willReturn(aResponse()
                                .withStatus(302)
                                .withHeader("Location", CallbackReceiverResource.url(target))));
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(target)).willReturn(aResponse().withStatus(200)));
        JobResult job = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", CallbackReceiverResource.url(path)),
                200,
                JobStatus.DONE);

        Fixtures.publish(job);

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(deadLetters(job.jobId())).hasSize(1));
        assertThat(deadLetters(job.jobId()).get(0).lastStatusCode()).isEqualTo(302);
        assertThat(requests(path)).hasSize(4);
        assertThat(requests(target)).isEmpty();
    }

    @Test
    void shouldFailCallbackWhenReceiverCertificateIsNotTrusted() {
        String path = "/tls/" + UUID.randomUUID();
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        JobResult job = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", CallbackReceiverResource.httpsUrl(path)),
                200,
                JobStatus.DONE);

        Fixtures.publish(job);

        // the receiver would answer 200: only a verified certificate chain keeps the callback from being delivered
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(deadLetters(job.jobId())).hasSize(1));
        DeliveryDeadLetter letter = deadLetters(job.jobId()).get(0);
        assertThat(letter.lastStatusCode()).isNull();
        assertThat(letter.reason()).containsIgnoringCase("ssl");
        assertThat(requests(path)).isEmpty();
    }

    @Test
    void shouldCallTheSealedCallbackUrlAndDeadLetterOneSealedWithAnUnknownKey() {
        String path = "/sealed/" + UUID.randomUUID();
        CallbackReceiverResource.server()
                .stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)));
        String callback = CallbackReceiverResource.url(path) + "?token=t-" + path.substring(8);
        JobResult sealed = seal.seal(Fixtures.result(
                Fixtures.newScheduleId(), 0, Fixtures.item().put("callback_url", callback), 200, JobStatus.DONE));
        // sealed by a deployment key this delivery does not hold (a rotation that dropped it too early)
        JobResult foreign = dev.recur.common.seal.CallbackSeal.parse(
                        "old:" + java.util.Base64.getEncoder().encodeToString(new byte[32]))
                .seal(Fixtures.result(
                        Fixtures.newScheduleId(),
                        0,
                        Fixtures.item().put("callback_url", callback + "-old"),
                        200,
                        JobStatus.DONE));
        assertThat(sealed.item().get("callback_url").asText()).doesNotContain("token");

        Fixtures.publish(sealed, foreign);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(CallbackReceiverResource.server().findAll(postRequestedFor(urlPathEqualTo(path))))
                    .singleElement()
                    .satisfies(r -> assertThat(r.getUrl()).isEqualTo(callback.substring(callback.indexOf(path))));
            assertThat(deadLetters(foreign.jobId())).hasSize(1);
        });
        assertThat(deadLetters(foreign.jobId()).get(0).attempts()).isEqualTo(1);
        assertThat(deadLetters(foreign.jobId()).get(0).target()).doesNotContain("token");
    }

    @Test
    void shouldUploadOnlyToTheBucketsOfTheOwnersListFromTheTenantBucketsTopic() {
        String owner = "listed-" + UUID.randomUUID();
        Fixtures.publishTenantBuckets(owner, List.of("s3://user-*", "gs://elsewhere"));
        JobResult allowed = ownedBy(
                owner,
                Fixtures.result(
                        Fixtures.newScheduleId(),
                        0,
                        Fixtures.item().put("storage_type", "s3").put("storage_url", "s3://user-bucket/listed"),
                        200,
                        JobStatus.DONE));
        JobResult outside = ownedBy(
                owner,
                Fixtures.result(
                        Fixtures.newScheduleId(),
                        0,
                        Fixtures.item().put("storage_type", "s3").put("storage_url", "s3://recur-test/listed"),
                        200,
                        JobStatus.DONE));
        // another tenant, without a list: any bucket but the system's
        JobResult unlisted = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("storage_type", "s3").put("storage_url", "s3://recur-test/unlisted"),
                200,
                JobStatus.DONE);
        await().atMost(WAIT)
                .ignoreExceptions()
                .until(() -> tenantBuckets.of(owner, Duration.ZERO).isPresent());

        Fixtures.publish(allowed, outside, unlisted);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(deadLetters(outside.jobId())).hasSize(1);
            assertThat(pendingDeliveries(allowed.jobId())).isZero();
            assertThat(pendingDeliveries(unlisted.jobId())).isZero();
        });
        assertThat(deadLetters(outside.jobId()).get(0).attempts()).isEqualTo(1);
        assertThat(deadLetters(outside.jobId()).get(0).reason())
                .contains("'recur-test', which is not in the owner's bucket list (s3://user-*, gs://elsewhere)");
        assertThat(deadLetters(allowed.jobId())).isEmpty();
        assertThat(deadLetters(unlisted.jobId())).isEmpty();
        try (var s3 = dev.recur.testinfra.Infra.s3().client()) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket("user-bucket").key("listed/" + allowed.jobId() + ".json"))
                            .asUtf8String())
                    .contains("results");
        }
    }

    private static JobResult ownedBy(String owner, JobResult r) {
        return JobResult.of(
                r.jobId(),
                r.scheduleId(),
                r.runId(),
                owner,
                r.scheduledFor(),
                r.itemIndex(),
                r.item(),
                r.createStatusCode(),
                r.status(),
                r.error(),
                r.backend(),
                r.attempts(),
                r.createdAt(),
                r.updatedAt(),
                r.results(),
                r.resultsRef());
    }

    @Test
    void shouldDeliverADeadLetteredCallbackOnceWhenItsReplayArrivesTwice() {
        String path = "/replayed/" + UUID.randomUUID();
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(503)));
        JobResult job = Fixtures.result(
                Fixtures.newScheduleId(),
                0,
                Fixtures.item().put("callback_url", CallbackReceiverResource.url(path)),
                200,
                JobStatus.DONE);
        Fixtures.publish(job);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(deadLetters(job.jobId())).hasSize(1));
        assertThat(requests(path)).hasSize(4);
        // the receiver is back (the newest stub wins)
        CallbackReceiverResource.server()
                .stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(200)));
        DeliveryReplay othersJob = replay(job, "mallory");
        DeliveryReplay replay = replay(job, "alice");
        DeliveryReplay later = replay(job, "alice");

        // one partition (the schedule's key), in this order: another owner's command, the command twice, another one
        Fixtures.publishReplays(othersJob, replay, replay, later);

        await().atMost(WAIT).until(() -> replayed(later.replayId()) != null);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(requests(path)).hasSize(5);
            assertThat(pendingDeliveries(job.jobId())).isZero();
        });
        assertThat(replayed(othersJob.replayId())).as("another owner's job").isFalse();
        assertThat(replayed(replay.replayId())).isTrue();
        assertThat(replayed(later.replayId())).as("no longer dead-lettered").isFalse();
        assertThat(requests(path).get(4).getHeader("X-Recur-Job-Id")).isEqualTo(Long.toString(job.jobId()));
        assertThat(deadLetters(job.jobId())).hasSize(1);
    }

    private static DeliveryReplay replay(JobResult job, String owner) {
        return DeliveryReplay.of(
                UUID.randomUUID().toString(),
                job.jobId(),
                job.scheduleId(),
                owner,
                DeliveryKind.CALLBACK,
                owner,
                Instant.now());
    }

    /** Whether delivery acted on the replay command; null until it received it. */
    private Boolean replayed(String replayId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s =
                        c.prepareStatement("SELECT replayed FROM delivery_replay WHERE replay_id = ?::uuid")) {
            s.setString(1, replayId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getBoolean(1) : null;
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private List<DeliveryDeadLetter> deadLetters(long jobId) {
        return dlq.values().stream().filter(d -> d.jobId() == jobId).toList();
    }

    private static List<LoggedRequest> requests(String path) {
        return CallbackReceiverResource.server().findAll(postRequestedFor(urlEqualTo(path)));
    }

    /** Attempts recorded on the job's pending delivery; fails if it has none pending. */
    private int finishedAttempts(long jobId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT attempts FROM delivery WHERE job_id = ?")) {
            s.setLong(1, jobId);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).as("a pending delivery of job %d", jobId).isTrue();
                return r.getInt(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private long pendingDeliveries(long jobId) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM delivery WHERE job_id = ?")) {
            s.setLong(1, jobId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
