package dev.recur.delivery.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.recur.common.event.Topics;
import dev.recur.common.net.AllowedTarget;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Business knobs of delivery. */
@ConfigMapping(prefix = "recur.delivery")
public interface DeliveryConfig {

    Callback callback();

    Retry retry();

    Outbox outbox();

    Gcs gcs();

    TopicNames topics();

    /**
     * A name a restarted instance keeps (a StatefulSet pod name), unique among the running instances: at its start
     * the instance takes back at once the attempts its previous run held, instead of after {@link Retry#lease()}.
     */
    Optional<String> instanceId();

    /** Threads that run delivery attempts; a slow target holds one of them at most for the callback timeout. */
    @WithDefault("64")
    int workers();

    /**
     * Threads that read a consumed batch's claim checks and write its results-store objects (its results packs and
     * the documents too large for one) in parallel, so that these S3 calls overlap their waits.
     */
    @WithDefault("32")
    int resultsStoreWriters();

    interface Callback {

        /** Whole-request timeout of one callback attempt. */
        @WithDefault("PT10S")
        Duration timeout();

        @WithDefault("PT5S")
        Duration connectTimeout();

        /**
         * The deployment's HMAC-SHA256 key for {@code X-Recur-Signature}, used for tenants without a signing secret of
         * their own ({@code POST /v1/signing-secret}); without it, their callbacks carry no signature.
         */
        Optional<String> signingSecret();

        /** Results larger than this (as JSON) are left out of the callback body; the receiver follows {@code _links}. */
        @WithDefault("1048576")
        int inlineResultsLimitBytes();

        /** Base URL of schedule-api as users reach it, for the {@code _links} of the job object. */
        @WithDefault("http://localhost:8080")
        String publicBaseUrl();

        /**
         * Targets callbacks may reach although their address is in a special-purpose range (loopback, private,
         * link-local..., see {@link dev.recur.common.net.OutboundGuard}): networks, addresses or host names; empty by
         * default. Parsed at start: a bad entry stops the service.
         */
        Optional<List<AllowedTarget>> allowedNetworks();
    }

    interface Retry {

        /** Attempts in all, the first included; then the delivery goes to the dead-letter topic. */
        @WithDefault("10")
        int maxAttempts();

        /** No attempt later than this after the first one. */
        @WithDefault("PT24H")
        Duration maxAge();

        @WithDefault("PT30S")
        Duration initialBackoff();

        @WithDefault("PT2H")
        Duration maxBackoff();

        /** How often due retries are looked for. */
        @WithDefault("PT1S")
        Duration pollInterval();

        /**
         * How long an attempt taken by an instance (running, or waiting in its memory) keeps its row from being picked
         * by another one; the instance renews it every third of this while it holds the attempt, so this is how long
         * a dead instance's attempts wait. More than the callback timeout.
         */
        @WithDefault("PT30S")
        Duration lease();

        @WithDefault("200")
        int batchSize();
    }

    interface Outbox {

        @WithDefault("PT0.05S")
        Duration pollInterval();

        @WithDefault("1000")
        int batchSize();
    }

    interface Gcs {

        /** Endpoint override, e.g. an emulator's {@code http://localhost:9199}; the real GCS when absent. */
        Optional<String> host();

        Optional<String> projectId();
    }

    interface TopicNames {

        @WithDefault(Topics.SCHEDULE_STATS)
        String scheduleStats();

        @WithDefault(Topics.JOB_HISTORY)
        String jobHistory();

        @WithDefault(Topics.DELIVERY_DLQ)
        String deliveryDlq();

        /** The tenants' callback signing secrets (internal; read from the start by every instance). */
        @WithDefault(Topics.SIGNING_SECRETS)
        String signingSecrets();

        /** The tenants' bucket lists (internal; read from the start by every instance). */
        @WithDefault(Topics.TENANT_BUCKETS)
        String tenantBuckets();
    }
}
