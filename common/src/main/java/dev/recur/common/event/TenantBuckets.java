package dev.recur.common.event;

import static com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A tenant's bucket list, on {@link Topics#TENANT_BUCKETS}, keyed by the owner; a tombstone removes the list (the
 * tenant may name any bucket the deployment allows). INTERNAL: schedule-api writes it, delivery reads it.
 *
 * @param owner the tenant (the schedules' {@code owner})
 * @param buckets the entries, {@code s3://bucket} or {@code gs://bucket} with {@code *} patterns
 *     ({@link dev.recur.common.storage.BucketList}); empty: no bucket at all
 * @param updatedAt when an administrator set the list
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TenantBuckets(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("owner") String owner,
        @JsonProperty("buckets") List<String> buckets,

        @JsonProperty("updated_at") @JsonFormat(shape = STRING)
        Instant updatedAt) {

    public static final String TYPE = "tenant_buckets";
    public static final int VERSION = 1;

    public TenantBuckets {
        buckets = buckets == null ? List.of() : List.copyOf(buckets);
    }

    public static TenantBuckets of(String owner, List<String> buckets, Instant updatedAt) {
        return new TenantBuckets(TYPE, VERSION, owner, buckets, updatedAt);
    }
}
