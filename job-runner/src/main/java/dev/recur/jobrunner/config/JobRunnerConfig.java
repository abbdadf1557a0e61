package dev.recur.jobrunner.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.recur.common.net.AllowedTarget;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Business knobs of job-runner. */
@ConfigMapping(prefix = "recur.job-runner")
public interface JobRunnerConfig {

    /** Name of the built-in HTTP fetcher backend in {@link #sources()}. */
    String HTTP_FETCHER = "http_fetcher";
    /** Name of the Oxylabs-compatible realtime backend in {@link #sources()}. */
    String OXYLABS = "oxylabs";

    @WithDefault("recur.due-runs")
    String dueRunsTopic();

    @WithDefault("recur.job-results")
    String jobResultsTopic();

    @WithDefault("recur-job-runner")
    String groupId();

    /** Prefix of the transactional id; the process adds {@link #instanceId()} or a random suffix. */
    @WithDefault("recur-job-runner")
    String transactionalIdPrefix();

    /**
     * A name that a restarted instance keeps (e.g. a StatefulSet pod name). With it, the restarted process
     * aborts its predecessor's open transaction at once instead of after {@link #transactionTimeout()}.
     */
    Optional<String> instanceId();

    /** On shutdown, how long to let open slices finish and publish before leaving them to the next owner. */
    @WithDefault("PT20S")
    Duration shutdownGrace();

    /** How long the broker waits for a silent instance before giving its partitions to another. */
    @WithDefault("PT45S")
    Duration sessionTimeout();

    /** How long the broker keeps a dead instance's open transaction before aborting it. */
    @WithDefault("PT60S")
    Duration transactionTimeout();

    /**
     * Backend per item {@code source} ({@code oxylabs} or {@code http_fetcher}); a source not listed goes
     * to {@link #defaultBackend()}. application.properties maps {@code universal} to the built-in fetcher.
     */
    Map<String, String> sources();

    /** Backend for sources not in {@link #sources()}; absent means such jobs fault. */
    @WithDefault("oxylabs")
    Optional<String> defaultBackend();

    /** Scraper calls running at once, over all owners. */
    @WithDefault("64")
    int maxInFlight();

    /** Scraper calls running at once for one owner, so that one big run cannot take every slot. */
    @WithDefault("16")
    int maxInFlightPerOwner();

    /**
     * Due-run records taken from one partition and not yet committed; the partition is paused beyond it.
     * Also bounds the commit metadata that lists slices finished out of order (about 3 bytes each, 4 KiB max).
     */
    @WithDefault("256")
    int maxOpenSlicesPerPartition();

    /**
     * Shortest time between two transactions while slices keep finishing: each transaction then carries
     * every slice finished in that time, which costs the broker far less per job than a transaction per
     * poll, for at most this much extra latency.
     */
    @WithDefault("PT0.05S")
    Duration commitInterval();

    /** Jobs accepted but not yet finished, over all slices; every partition is paused beyond it. */
    @WithDefault("20000")
    int maxQueuedJobs();

    /** Serialized results above this size go to the results bucket, the message carries a reference. */
    @WithDefault("262144")
    int inlineLimitBytes();

    Retry retry();

    Memory memory();

    Oxylabs oxylabs();

    Fetcher fetcher();

    interface Retry {
        /** Scraper calls per job, the first included. */
        @WithDefault("5")
        int maxAttempts();

        @WithDefault("PT0.5S")
        Duration initialBackoff();

        /** Cap on one wait, a {@code Retry-After} included. */
        @WithDefault("PT60S")
        Duration maxBackoff();

        /** Fraction of each wait drawn at random, so that retries of many jobs do not arrive together. */
        @WithDefault("0.5")
        double jitter();
    }

    /**
     * The heap fetched pages may take (docs/operations.md, "Memory per tenant"). A page above
     * {@link #streamThresholdBytes()} is not held: it goes to its claim check as it arrives, holding about one 5 MiB
     * part. What a fetch holds is reserved from both budgets before it reads on; when either is spent, the fetch
     * waits (its response paused) until bytes are given back, and fails as timed out (then retried) if that takes
     * longer than the fetcher's timeout. Checked at start: each budget must hold a body in memory for each of its
     * calls in flight plus one streamed page, or the service stops with a message naming the setting.
     */
    interface Memory {
        /** Bytes of fetched pages held at once, over all owners. */
        @WithDefault("268435456")
        long maxBytesInFlight();

        /** Bytes of fetched pages held at once for one owner. */
        @WithDefault("100663296")
        long maxBytesInFlightPerOwner();

        /** A 2xx body larger than this is streamed to the claim-check store instead of being held. */
        @WithDefault("1048576")
        long streamThresholdBytes();
    }

    interface Oxylabs {
        /** Base URL of the realtime API, e.g. {@code https://realtime.oxylabs.io}; absent means no such backend. */
        Optional<URI> baseUrl();

        Optional<String> username();

        Optional<String> password();

        @WithDefault("PT10S")
        Duration connectTimeout();

        /** The realtime API holds the request until the page is scraped, which can take minutes. */
        @WithDefault("PT180S")
        Duration timeout();
    }

    interface Fetcher {
        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Whole request, redirects included. */
        @WithDefault("PT30S")
        Duration timeout();

        @WithDefault("5")
        int maxRedirects();

        @WithDefault("52428800")
        long maxBodyBytes();

        @WithDefault("Recur-Fetcher/1.0")
        String userAgent();

        /**
         * Targets allowed although their address is in a special-purpose range (loopback, private, link-local...,
         * see {@link dev.recur.common.net.OutboundGuard}): networks ({@code 127.0.0.1/32}), addresses or host names.
         * Parsed at start: a bad entry stops the service.
         */
        Optional<List<AllowedTarget>> allow();
    }
}
