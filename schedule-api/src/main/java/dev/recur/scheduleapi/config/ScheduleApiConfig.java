package dev.recur.scheduleapi.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Business knobs of schedule-api. */
@ConfigMapping(prefix = "recur.schedule-api")
public interface ScheduleApiConfig {

    /** Most items one schedule may carry. */
    @WithDefault("5000")
    int maxItems();

    /** Largest serialized size of one item, in bytes. */
    @WithDefault("65536")
    int maxItemBytes();

    /** Most active schedules one user may have; a create or reactivation beyond it is a 429. */
    @WithDefault("10000")
    int maxActiveSchedulesPerUser();

    /** Largest page size of the list endpoints. */
    @WithDefault("1000")
    int maxPageSize();

    /** Most fire times one preview may ask for. */
    @WithDefault("100")
    int maxPreviewCount();

    /** The administrator created on first start when no user of that name exists (RECUR_ADMIN_USER). */
    Optional<String> adminUser();

    /** Password of {@link #adminUser()} (RECUR_ADMIN_PASSWORD). */
    Optional<String> adminPassword();

    /**
     * Shortest {@link #adminPassword()} the prod profile starts with; it also refuses well-known defaults such as
     * {@code change-me}.
     */
    @WithDefault("16")
    int adminPasswordMinLength();

    /**
     * Lets the prod profile start with a default or short administrator password (the Kubernetes dev overlay's
     * well-known one); never in a deployment anyone else can reach.
     */
    @WithDefault("false")
    boolean insecureAdminPasswordAllowed();

    /**
     * How long verified credentials are trusted without checking the bcrypt hash again. A changed password, a
     * disabled or a deleted user ends them at once all the same: each use checks the user's credentials version.
     */
    @WithDefault("PT60S")
    Duration credentialCacheTtl();

    Login login();

    /**
     * Connections of the non-blocking, pipelined PostgreSQL client that serves {@code POST /v1/schedules} and
     * {@code GET /v1/schedules/{id}} on the HTTP event loops (a connection carries many statements at once), beside
     * the JDBC pool of everything else.
     */
    @WithDefault("8")
    int reactivePoolSize();

    CreateBatch createBatch();

    Outbox outbox();

    /**
     * Group commit of {@code POST /v1/schedules}: a create goes out at once while fewer than
     * {@link #statementsInFlight()} create statements are in flight; the creates that arrive meanwhile wait and go
     * out together as one statement (one transaction, one quota update per owner) when one of those completes.
     */
    interface CreateBatch {

        /**
         * Create statements in flight at once before further creates wait to be written together. One: the fewest,
         * largest batches, and no two batches waiting on each other's owner rows; 2 measured within the spread of 1,
         * 4 worse (docs/performance-schedule-api.md).
         */
        @WithDefault("1")
        int statementsInFlight();

        /** Most creates written by one statement. */
        @WithDefault("64")
        int maxSize();
    }

    /** Password hashing and the throttling of failed logins (per username and per client address, per replica). */
    interface Login {

        /** bcrypt's cost (log2 of its rounds) for new hashes; a login rehashes a password stored at another cost. */
        @WithDefault("12")
        int bcryptCost();

        /** Failed logins of one username before it is throttled. */
        @WithDefault("5")
        int freeFailuresPerUser();

        /** Failed logins from one client address before it is throttled (offices share an address). */
        @WithDefault("20")
        int freeFailuresPerAddress();

        /** The first wait once throttled; it doubles with each further failure. */
        @WithDefault("PT1S")
        Duration firstDelay();

        /** The longest wait. */
        @WithDefault("PT15M")
        Duration maxDelay();

        /** A username's or address's failures are forgotten after this long without one. */
        @WithDefault("PT15M")
        Duration forgetAfter();
    }

    interface Outbox {

        /** Topic of the schedule snapshots. */
        @WithDefault("recur.schedules")
        String topic();

        /** Interval of the relay's sweep; a commit also wakes it at once. */
        @WithDefault("PT0.2S")
        Duration interval();

        /**
         * How long a commit's wake-up waits before the relay's pass, so that the commits of that time share one
         * pass and one produce request; a commit reaches Kafka this much later.
         */
        @WithDefault("PT0.002S")
        Duration linger();

        /** Most rows one relay pass publishes. */
        @WithDefault("500")
        int batchSize();

        /**
         * How long published rows stay in the outbox table, marked sent, for inspection, before the relay deletes
         * them. Zero (the default) deletes a row as soon as the broker has acknowledged it, which writes less.
         */
        @WithDefault("PT0S")
        Duration sentRetention();
    }
}
