package dev.recur.common.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A tenant's own bucket list, as an administrator sets it ({@code PUT /v1/admin/users/{id}/buckets}): the buckets the
 * tenant's items may name, on top of the deployment's {@link BucketPolicy}. Entries are {@code s3://bucket} or
 * {@code gs://bucket}, where the bucket may hold {@code *} (any run of characters), e.g. {@code s3://acme-*}. An S3
 * entry allows only {@code storage_type: s3} targets, a GCS one only {@code gcs}. No list at all (the default) allows
 * any bucket the deployment allows; an empty list allows none.
 */
public final class BucketList {

    /** The most entries one list may have. */
    public static final int MAX_ENTRIES = 100;

    private record Entry(StorageTarget.Type type, String text, Pattern pattern) {}

    private final List<Entry> entries;

    private BucketList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses the entries; an {@link InvalidStorageTargetException} names the first bad one as its field
     * ({@code buckets[i]}) and says what is wrong with it.
     */
    public static BucketList parse(List<String> texts) {
        if (texts.size() > MAX_ENTRIES) {
            throw new InvalidStorageTargetException(
                    "buckets", "has " + texts.size() + " entries; at most " + MAX_ENTRIES + " allowed");
        }
        List<Entry> entries = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i) == null ? "" : texts.get(i).strip();
            StorageTarget.Type type;
            if (text.startsWith("s3://")) {
                type = StorageTarget.Type.S3;
            } else if (text.startsWith("gs://")) {
                type = StorageTarget.Type.GCS;
            } else {
                throw new InvalidStorageTargetException(
                        "buckets[" + i + "]", "must be s3://bucket or gs://bucket" + " ('*' matches any characters)");
            }
            String bucket = text.substring(5);
            while (bucket.endsWith("/")) {
                bucket = bucket.substring(0, bucket.length() - 1);
            }
            if (!BucketPolicy.isBucketPattern(bucket)) {
                throw new InvalidStorageTargetException(
                        "buckets[" + i + "]",
                        "names no bucket or pattern: lower case"
                                + " letters, digits, '.', '_', '-' and '*', no prefix");
            }
            entries.add(new Entry(type, text.substring(0, 5) + bucket, BucketPolicy.compile(bucket)));
        }
        return new BucketList(entries);
    }

    /** The entries as they were set, normalised ({@code s3://bucket}, no trailing slash). */
    public List<String> entries() {
        return entries.stream().map(Entry::text).toList();
    }

    /** Whether an entry of {@code target}'s type matches its bucket. */
    public boolean allows(StorageTarget target) {
        String bucket = target.bucket().toLowerCase(Locale.ROOT);
        return entries.stream()
                .anyMatch(e ->
                        e.type() == target.type() && e.pattern().matcher(bucket).matches());
    }
}
