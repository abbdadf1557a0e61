package dev.recur.common.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which buckets a tenant may name. Never the deployment's own (the results bucket, which also holds the claim
 * checks): delivery writes a tenant's objects with the deployment's credentials, so a tenant naming the system's
 * bucket would write into it. Optionally only buckets matching the deployment's patterns ({@code *} matches any run
 * of characters; none configured: any other bucket). schedule-api refuses at create, delivery again before it writes,
 * so a schedule created before a pattern changed cannot write where the deployment no longer allows. A tenant may
 * further have its own {@link BucketList} (set by an administrator), checked after the deployment's rules by
 * {@link #check(StorageTarget, BucketList)}.
 */
public final class BucketPolicy {

    private final Set<String> systemBuckets;
    private final List<String> allowed;
    private final List<Pattern> allowedPatterns = new ArrayList<>();

    /**
     * @param systemBuckets the deployment's own buckets
     * @param allowed bucket name patterns a tenant may use; empty: any bucket but the system's. A pattern that no
     *     valid bucket name could match (upper case, spaces, '/') stops the service with a message naming it.
     */
    public BucketPolicy(Set<String> systemBuckets, List<String> allowed) {
        this.systemBuckets = Set.copyOf(systemBuckets);
        this.allowed = List.copyOf(allowed);
        for (String pattern : allowed) {
            String value = pattern.strip();
            if (!isBucketPattern(value)) {
                throw new IllegalArgumentException("recur.storage.allowed-buckets: '" + pattern + "' is not a bucket"
                        + " name pattern (lower case letters, digits, '.', '_', '-' and '*')");
            }
            allowedPatterns.add(compile(value));
        }
    }

    static boolean isBucketPattern(String value) {
        return !value.isEmpty() && value.matches("[a-z0-9._*-]+");
    }

    /** A bucket name pattern as a regular expression: {@code *} matches any run of characters, the rest itself. */
    static Pattern compile(String value) {
        return Pattern.compile(Pattern.quote(value).replace("*", "\\E.*\\Q"));
    }

    /**
     * {@link #check(StorageTarget)}, then, when the tenant has a bucket list ({@code tenantList} not null), that an
     * entry of it allows the bucket.
     */
    public void check(StorageTarget target, BucketList tenantList) {
        check(target);
        if (tenantList != null && !tenantList.allows(target)) {
            throw new InvalidStorageTargetException(
                    "storage_url",
                    "names bucket '" + target.bucket() + "', which is"
                            + " not in the owner's bucket list ("
                            + (tenantList.entries().isEmpty() ? "empty" : String.join(", ", tenantList.entries()))
                            + "); an administrator sets it");
        }
    }

    /** Throws an {@link InvalidStorageTargetException} unless a tenant may write to {@code target}'s bucket. */
    public void check(StorageTarget target) {
        String bucket = target.bucket().toLowerCase(Locale.ROOT);
        if (systemBuckets.contains(bucket)) {
            throw new InvalidStorageTargetException(
                    "storage_url",
                    "names the deployment's own bucket '" + target.bucket()
                            + "'; name a bucket of yours and grant the deployment write access to it");
        }
        if (!allowedPatterns.isEmpty()
                && allowedPatterns.stream().noneMatch(p -> p.matcher(bucket).matches())) {
            throw new InvalidStorageTargetException(
                    "storage_url",
                    "names bucket '" + target.bucket() + "', which this" + " deployment does not allow (allowed: "
                            + String.join(", ", allowed) + ")");
        }
    }
}
