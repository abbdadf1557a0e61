package dev.recur.jobrunner.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.recur.jobrunner.client.OxylabsScraperTest.call;
import static dev.recur.jobrunner.client.OxylabsScraperTest.item;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.recur.common.net.AllowedTarget;
import dev.recur.common.net.Resolver;
import dev.recur.jobrunner.config.JobRunnerConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpFetcherTest {

    private static WireMockServer wireMock;
    private static Vertx vertx;
    private static HttpFetcher fetcher;

    @BeforeAll
    static void start() {
        wireMock = new WireMockServer(options().dynamicPort());
        wireMock.start();
        vertx = Vertx.vertx();
        fetcher = new HttpFetcher(
                vertx,
                new FetcherSettings(Duration.ofSeconds(30), 30L * 1024 * 1024, List.of("127.0.0.1/32")),
                8,
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        fetcher.close();
        vertx.close();
        wireMock.stop();
    }

    @BeforeEach
    void reset() {
        wireMock.resetAll();
    }

    private String local(String path) {
        return "http://127.0.0.1:" + wireMock.port() + path;
    }

    @Test
    void shouldReturnBodyStatusAndUrlWithConfiguredUserAgentWhenTargetAnswers200() {
        wireMock.stubFor(get("/page?q=1")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/html; charset=utf-8")
                        .withBody("<html>é</html>")));

        var outcome = (ScrapeOutcome.Success)
                call(fetcher, item("{\"source\": \"universal\", \"url\": \"" + local("/page?q=1") + "\"}"));

        assertThat(outcome.statusCode()).isEqualTo(200);
        assertThat(outcome.pages()).singleElement().satisfies(page -> {
            assertThat(page.content().asText()).isEqualTo("<html>é</html>");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.url()).isEqualTo(local("/page?q=1"));
            assertThat(page.page()).isEqualTo(1);
        });
        wireMock.verify(getRequestedFor(urlEqualTo("/page?q=1")).withHeader("User-Agent", equalTo("Recur-Test/1")));
    }

    @Test
    void shouldFollowRedirectsAndReportFinalUrlWhenTargetRedirects() {
        wireMock.stubFor(get("/old").willReturn(aResponse().withStatus(301).withHeader("Location", "/new")));
        wireMock.stubFor(get("/new").willReturn(aResponse().withStatus(200).withBody("moved here")));

        var outcome = (ScrapeOutcome.Success) call(fetcher, item("{\"url\": \"" + local("/old") + "\"}"));

        assertThat(outcome.pages().get(0).url()).isEqualTo(local("/new"));
        assertThat(outcome.pages().get(0).content().asText()).isEqualTo("moved here");
    }

    @Test
    void shouldFaultWhenRedirectsExceedTheLimit() {
        wireMock.stubFor(get("/loop").willReturn(aResponse().withStatus(302).withHeader("Location", "/loop")));

        var failure = (ScrapeOutcome.Failure) call(fetcher, item("{\"url\": \"" + local("/loop") + "\"}"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.reason()).contains("more than 3 redirects");
    }

    @Test
    void shouldReturnTheWholeBodyWhenPageIs20Megabytes() {
        byte[] body = new byte[20 * 1024 * 1024];
        Arrays.fill(body, (byte) 'x');
        body[body.length - 1] = 'z';
        wireMock.stubFor(get("/big").willReturn(aResponse().withStatus(200).withBody(body)));

        var outcome = (ScrapeOutcome.Success) call(fetcher, item("{\"url\": \"" + local("/big") + "\"}"));

        String content = outcome.pages().get(0).content().asText();
        assertThat(content).hasSize(body.length).endsWith("xz");
    }

    @Test
    void shouldStreamAPageAboveTheThresholdToItsClaimCheckInPartsWithoutHoldingItWhole() throws Exception {
        byte[] body = new byte[12 * 1024 * 1024 + 3];
        Arrays.fill(body, (byte) 'y');
        body[0] = '"';
        body[body.length - 1] = '\n';
        wireMock.stubFor(get("/huge")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "text/plain; charset=utf-8")
                        .withBody(body)));
        MemoryUploads uploads = new MemoryUploads();
        List<Long> reserved = new java.util.concurrent.CopyOnWriteArrayList<>();
        MemoryAllowance memory = new MemoryAllowance() {
            @Override
            public boolean tryReserve(long bytes, Runnable whenFreed) {
                reserved.add(bytes);
                return true;
            }

            @Override
            public void release(long bytes) {
                reserved.add(-bytes);
            }
        };
        var streaming = new HttpFetcher(
                vertx,
                new FetcherSettings(Duration.ofSeconds(30), 30L * 1024 * 1024, List.of("127.0.0.1/32")),
                2,
                Clock.systemUTC(),
                uploads,
                1024 * 1024);

        var outcome = (ScrapeOutcome.Claimed) streaming
                .scrape(item("{\"url\": \"" + local("/huge") + "\"}"), new ScrapeContext(42, memory))
                .toCompletableFuture()
                .join();
        streaming.close();

        byte[] stored = uploads.objects.get(42L).toByteArray();
        assertThat(outcome.statusCode()).isEqualTo(200);
        assertThat(outcome.claim().sizeBytes()).isEqualTo(stored.length);
        assertThat(outcome.claim().sha256())
                .isEqualTo(java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                .digest(stored)));
        assertThat(uploads.partSizes.get(42L))
                .hasSizeGreaterThan(2)
                .allSatisfy(size -> assertThat(size).isLessThan(ClaimUploads.MIN_PART_BYTES + 512 * 1024));
        var mapper = dev.recur.common.json.EventJson.mapper().copy();
        mapper.getFactory()
                .setStreamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                        .maxStringLength(Integer.MAX_VALUE)
                        .build());
        List<dev.recur.common.event.ResultPage> pages = mapper.readValue(
                stored,
                new com.fasterxml.jackson.core.type.TypeReference<List<dev.recur.common.event.ResultPage>>() {});
        assertThat(pages).singleElement().satisfies(page -> {
            assertThat(page.content().asText()).isEqualTo(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(page.url()).isEqualTo(local("/huge"));
            assertThat(page.statusCode()).isEqualTo(200);
        });
        // what it held: a body up to the threshold, then one part; all of it given back but the in-memory share
        assertThat(reserved.stream()
                        .filter(n -> n > 0)
                        .mapToLong(Long::longValue)
                        .max()
                        .orElse(0))
                .isLessThanOrEqualTo(HttpFetcher.streamReserve(1024 * 1024));
        assertThat(reserved.stream().mapToLong(Long::longValue).sum()).isZero();
    }

    @Test
    void shouldWaitForHeapThenFetchWhenTheAllowanceRefusesAtFirst() {
        wireMock.stubFor(get("/patient").willReturn(aResponse().withStatus(200).withBody("worth the wait")));
        java.util.concurrent.atomic.AtomicReference<Runnable> waiting =
                new java.util.concurrent.atomic.AtomicReference<>();
        MemoryAllowance memory = new MemoryAllowance() {
            private boolean refusedOnce;

            @Override
            public synchronized boolean tryReserve(long bytes, Runnable whenFreed) {
                if (!refusedOnce) {
                    refusedOnce = true;
                    waiting.set(whenFreed);
                    return false;
                }
                return true;
            }

            @Override
            public void release(long bytes) {}
        };

        var pending = fetcher.scrape(item("{\"url\": \"" + local("/patient") + "\"}"), new ScrapeContext(7, memory))
                .toCompletableFuture();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() != null);
        assertThat(pending).isNotDone();
        waiting.get().run();

        var outcome = (ScrapeOutcome.Success) pending.join();
        assertThat(outcome.pages().get(0).content().asText()).isEqualTo("worth the wait");
    }

    @Test
    void shouldFailRetryablyNamingTheBudgetWhenHeapNeverFreesWithinTheTimeout() {
        wireMock.stubFor(get("/starved").willReturn(aResponse().withStatus(200).withBody("never read")));
        var impatient = new HttpFetcher(
                vertx, new FetcherSettings(Duration.ofSeconds(1), 1024, List.of("127.0.0.1/32")), 2, Clock.systemUTC());
        MemoryAllowance none = new MemoryAllowance() {
            @Override
            public boolean tryReserve(long bytes, Runnable whenFreed) {
                return false;
            }

            @Override
            public void release(long bytes) {}
        };

        var failure = (ScrapeOutcome.Failure) impatient
                .scrape(item("{\"url\": \"" + local("/starved") + "\"}"), new ScrapeContext(8, none))
                .toCompletableFuture()
                .join();
        impatient.close();

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.reason()).contains("waited more than PT1S for heap");
    }

    /** Claim checks kept in memory, with the size of each part. */
    static final class MemoryUploads implements ClaimUploads {
        final java.util.Map<Long, java.io.ByteArrayOutputStream> objects =
                new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Map<Long, List<Integer>> partSizes = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public Upload open(long jobId) {
            var out = new java.io.ByteArrayOutputStream();
            List<Integer> parts = new java.util.ArrayList<>();
            return new Upload() {
                @Override
                public void part(byte[] bytes, int length) {
                    out.write(bytes, 0, length);
                    parts.add(length);
                }

                @Override
                public dev.recur.common.event.ResultsRef complete() {
                    objects.put(jobId, out);
                    partSizes.put(jobId, parts);
                    byte[] all = out.toByteArray();
                    try {
                        return new dev.recur.common.event.ResultsRef(
                                "recur-results",
                                "claims/" + jobId + ".json",
                                all.length,
                                "application/json",
                                java.util.HexFormat.of()
                                        .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                                                .digest(all)));
                    } catch (java.security.NoSuchAlgorithmException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public void abort() {}
            };
        }
    }

    @Test
    void shouldFaultWhenBodyExceedsTheMaximum() {
        // one fetcher per case: the first case resets its connection, which must not be the second case's
        var small = new HttpFetcher(
                vertx, new FetcherSettings(Duration.ofSeconds(2), 1024, List.of("127.0.0.1/32")), 2, Clock.systemUTC());
        var smallToo = new HttpFetcher(
                vertx, new FetcherSettings(Duration.ofSeconds(2), 1024, List.of("127.0.0.1/32")), 2, Clock.systemUTC());
        wireMock.stubFor(get("/big").willReturn(aResponse().withStatus(200).withBody(new byte[4096])));
        wireMock.stubFor(get("/chunked")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withChunkedDribbleDelay(4, 10)
                        .withBody(new byte[4096])));

        var declared = (ScrapeOutcome.Failure) call(small, item("{\"url\": \"" + local("/big") + "\"}"));
        var streamed = (ScrapeOutcome.Failure) call(smallToo, item("{\"url\": \"" + local("/chunked") + "\"}"));
        smallToo.close();

        assertThat(declared.retryable()).isFalse();
        assertThat(declared.reason()).contains("larger than 1024 bytes");
        assertThat(streamed.reason()).contains("larger than 1024 bytes");
        small.close();
    }

    @Test
    void shouldTimeOutRetryablyWhenServerIsSlow() {
        wireMock.stubFor(get("/slow")
                .willReturn(aResponse().withStatus(200).withFixedDelay(5_000).withBody("late")));

        var impatient = new HttpFetcher(
                vertx, new FetcherSettings(Duration.ofSeconds(1), 1024, List.of("127.0.0.1/32")), 2, Clock.systemUTC());

        long start = System.nanoTime();
        var failure = (ScrapeOutcome.Failure) call(impatient, item("{\"url\": \"" + local("/slow") + "\"}"));

        assertThat(failure.retryable()).isTrue();
        assertThat(failure.statusCode()).isZero();
        assertThat(failure.reason()).contains("did not answer within");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        impatient.close();
    }

    @Test
    void shouldApplyFailurePolicyToTargetStatusWhenTargetAnswersAnError() {
        wireMock.stubFor(get("/missing").willReturn(aResponse().withStatus(404)));
        wireMock.stubFor(get("/busy").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "2")));

        var missing = (ScrapeOutcome.Failure) call(fetcher, item("{\"url\": \"" + local("/missing") + "\"}"));
        var busy = (ScrapeOutcome.Failure) call(fetcher, item("{\"url\": \"" + local("/busy") + "\"}"));

        assertThat(missing.retryable()).isFalse();
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(busy.retryable()).isTrue();
        assertThat(busy.retryAfter()).contains(Duration.ofSeconds(2));
    }

    @Test
    void shouldRefuseMetadataAddressWhenNotAllowlisted() {
        var failure =
                (ScrapeOutcome.Failure) call(fetcher, item("{\"url\": \"http://169.254.169.254/latest/meta-data/\"}"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.statusCode()).isZero();
        assertThat(failure.reason()).contains("refused target 169.254.169.254");
    }

    @Test
    void shouldRefusePrivateAddressWhenNotAllowlisted() {
        var failure = (ScrapeOutcome.Failure) call(fetcher, item("{\"url\": \"http://10.0.0.1/admin\"}"));

        assertThat(failure.reason()).contains("refused target 10.0.0.1");
    }

    @Test
    void shouldRefuseNameResolvingToLoopbackWhenLoopbackIsNotAllowlisted() {
        var strict = new HttpFetcher(
                vertx, new FetcherSettings(Duration.ofSeconds(2), 1024, List.of()), 2, Clock.systemUTC());
        wireMock.stubFor(get("/").willReturn(aResponse().withStatus(200).withBody("secret")));

        var failure =
                (ScrapeOutcome.Failure) call(strict, item("{\"url\": \"http://localhost:" + wireMock.port() + "/\"}"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.reason()).contains("refused target localhost").doesNotContain("127.0.0.1");
        assertThat(wireMock.getAllServeEvents()).isEmpty();
        strict.close();
    }

    @Test
    void shouldRefuseRedirectHopToPrivateAddressWhenFirstHopIsAllowed() {
        wireMock.stubFor(get("/hop")
                .willReturn(aResponse()
                        .withStatus(302)
                        .withHeader("Location", "http://169.254.169.254/latest/meta-data/")));

        var failure = (ScrapeOutcome.Failure) call(fetcher, item("{\"url\": \"" + local("/hop") + "\"}"));

        assertThat(failure.reason()).contains("refused target 169.254.169.254");
    }

    @Test
    void shouldRefuseNameResolvingToIpv4MappedLoopbackWithoutRequestWhenLoopbackIsNotAllowlisted() {
        wireMock.stubFor(get("/").willReturn(aResponse().withStatus(200).withBody("secret")));
        var strict = new HttpFetcher(
                vertx,
                new FetcherSettings(Duration.ofSeconds(2), 1024, List.of()),
                2,
                Clock.systemUTC(),
                Resolver.of(Map.of("mapped.test", List.of("::ffff:127.0.0.1"))));

        var failure = (ScrapeOutcome.Failure)
                call(strict, item("{\"url\": \"http://mapped.test:" + wireMock.port() + "/\"}"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.reason())
                .startsWith("refused target mapped.test: ")
                .doesNotContain("127.0.0.1")
                .doesNotContain("7f00");
        assertThat(wireMock.getAllServeEvents()).isEmpty();
        strict.close();
    }

    @Test
    void shouldConnectToTheCheckedAddressWhenNameResolvesToAnAllowedIpv4MappedAddress() {
        wireMock.stubFor(get("/mapped").willReturn(aResponse().withStatus(200).withBody("through the mapped form")));
        var allowing = new HttpFetcher(
                vertx,
                new FetcherSettings(Duration.ofSeconds(2), 1024, List.of("127.0.0.1/32")),
                2,
                Clock.systemUTC(),
                Resolver.of(Map.of("mapped.test", List.of("::ffff:127.0.0.1"))));

        var outcome = (ScrapeOutcome.Success)
                call(allowing, item("{\"url\": \"http://mapped.test:" + wireMock.port() + "/mapped\"}"));

        assertThat(outcome.pages().get(0).content().asText()).isEqualTo("through the mapped form");
        wireMock.verify(
                getRequestedFor(urlEqualTo("/mapped")).withHeader("Host", equalTo("mapped.test:" + wireMock.port())));
        allowing.close();
    }

    @Test
    void shouldRefuseRedirectHopToNameResolvingToIpv4MappedAddressWhenFirstHopIsAllowed() {
        String hop = "http://rebound.test:" + wireMock.port() + "/secret";
        wireMock.stubFor(get("/bounce").willReturn(aResponse().withStatus(302).withHeader("Location", hop)));
        wireMock.stubFor(get("/secret").willReturn(aResponse().withStatus(200).withBody("secret")));
        var strict = new HttpFetcher(
                vertx,
                new FetcherSettings(Duration.ofSeconds(2), 1024, List.of("first.test")),
                2,
                Clock.systemUTC(),
                Resolver.of(Map.of("first.test", List.of("127.0.0.1"), "rebound.test", List.of("::ffff:127.0.0.1"))));

        var failure = (ScrapeOutcome.Failure)
                call(strict, item("{\"url\": \"http://first.test:" + wireMock.port() + "/bounce\"}"));

        assertThat(failure.retryable()).isFalse();
        assertThat(failure.reason()).startsWith("refused target rebound.test: ");
        assertThat(wireMock.getAllServeEvents())
                .singleElement()
                .satisfies(served -> assertThat(served.getRequest().getUrl()).isEqualTo("/bounce"));
        strict.close();
    }

    @Test
    void shouldFaultWhenItemHasNoUrlOrAnUnsupportedScheme() {
        var noUrl = (ScrapeOutcome.Failure) call(fetcher, item("{\"source\": \"universal\"}"));
        var file = (ScrapeOutcome.Failure) call(fetcher, item("{\"url\": \"file:///etc/passwd\"}"));

        assertThat(noUrl.reason()).isEqualTo("item has no url to fetch");
        assertThat(file.reason()).contains("only http and https");
    }

    record FetcherSettings(Duration timeout, long maxBodyBytes, List<String> allowList)
            implements JobRunnerConfig.Fetcher {
        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(1);
        }

        @Override
        public int maxRedirects() {
            return 3;
        }

        @Override
        public String userAgent() {
            return "Recur-Test/1";
        }

        @Override
        public Optional<List<AllowedTarget>> allow() {
            return Optional.of(allowList.stream().map(AllowedTarget::of).toList());
        }
    }
}
