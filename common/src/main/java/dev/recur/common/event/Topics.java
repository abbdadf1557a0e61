package dev.recur.common.event;

/**
 * Default Kafka topic names; each service can override them in its configuration. Keys are the
 * schedule id as a decimal string unless noted.
 */
public final class Topics {

    /** Key schedule id; value {@link ScheduleSnapshot}, or a tombstone when the schedule is deleted; compacted. */
    public static final String SCHEDULES = "recur.schedules";

    /** Key schedule id; value {@link DueRun}, one slice of one run; not compacted. */
    public static final String DUE_RUNS = "recur.due-runs";

    /** Key schedule id; value {@link JobResult}, the public result contract; not compacted. */
    public static final String JOB_RESULTS = "recur.job-results";

    /** Key schedule id; value {@link ScheduleStats}, the latest statistics of a schedule; compacted. */
    public static final String SCHEDULE_STATS = "recur.schedule-stats";

    /** Key job id; value {@link JobRecord}, the finished job as the history keeps it; compacted. */
    public static final String JOB_HISTORY = "recur.job-history";

    /** Key schedule id; value {@link DeliveryDeadLetter}, a delivery that exhausted its retries; not compacted. */
    public static final String DELIVERY_DLQ = "recur.delivery-dlq";

    /**
     * Key schedule id; value {@link DeliveryReplay}, a command to deliver a dead-lettered delivery again; not
     * compacted. INTERNAL: only schedule-api writes and only delivery reads it.
     */
    public static final String DELIVERY_REPLAYS = "recur.delivery-replays";

    /**
     * Key owner; value {@link SigningSecret}, a tenant's callback signing secret, or a tombstone; compacted. INTERNAL:
     * only schedule-api writes and only delivery reads it (its values are secrets). Deployments set
     * {@code min.compaction.lag.ms} to {@link #SIGNING_SECRETS_MIN_COMPACTION_LAG_MS}, above the longest rotation
     * window, so that the record a rotation replaced is still there while its secret is valid.
     */
    public static final String SIGNING_SECRETS = "recur.signing-secrets";

    /**
     * Key owner; value {@link TenantBuckets}, the buckets an administrator allows a tenant, or a tombstone (no list);
     * compacted. INTERNAL: only schedule-api writes and only delivery reads it.
     */
    public static final String TENANT_BUCKETS = "recur.tenant-buckets";

    /** 8 days: the longest rotation window (7 days) and a day's margin. */
    public static final long SIGNING_SECRETS_MIN_COMPACTION_LAG_MS = 8L * 24 * 3600 * 1000;

    /** A topic's defaults: what a deployment creates (k8s KafkaTopic resources, the local run, the tests). */
    public record Spec(String name, int partitions, boolean compacted, int maxMessageBytes) {}

    /** Every topic, with its default partition count, compaction and message size limit. */
    public static final java.util.List<Spec> ALL = java.util.List.of(
            // snapshots carry a schedule's items: up to the API's body limit (10 MiB) before compression
            new Spec(SCHEDULES, 6, true, 16 * 1024 * 1024),
            new Spec(DUE_RUNS, 6, false, 1024 * 1024),
            new Spec(JOB_RESULTS, 6, false, 1024 * 1024),
            new Spec(SCHEDULE_STATS, 6, true, 1024 * 1024),
            new Spec(JOB_HISTORY, 6, true, 1024 * 1024),
            new Spec(DELIVERY_DLQ, 3, false, 1024 * 1024),
            new Spec(DELIVERY_REPLAYS, 3, false, 64 * 1024),
            new Spec(SIGNING_SECRETS, 1, true, 64 * 1024),
            new Spec(TENANT_BUCKETS, 1, true, 64 * 1024));

    private Topics() {}

    /** The record key for a schedule id or, on {@link #JOB_HISTORY}, a job id. */
    public static String key(long id) {
        return Long.toString(id);
    }
}
