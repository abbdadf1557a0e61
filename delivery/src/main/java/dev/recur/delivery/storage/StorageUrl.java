package dev.recur.delivery.storage;

/**
 * A user's bucket and key prefix, from {@code s3://bucket/prefix}, {@code gs://bucket/prefix} or
 * {@code bucket/prefix}.
 */
public record StorageUrl(String bucket, String prefix) {

    public static StorageUrl parse(String url) {
        String rest = url.trim();
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            rest = rest.substring(scheme + 3);
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("storage_url names no bucket: " + url);
        }
        return new StorageUrl(bucket, prefix);
    }

    /** The key of a job's object: {@code prefix/{job_id}.json}. */
    public String key(long jobId) {
        return prefix.isEmpty() ? jobId + ".json" : prefix + "/" + jobId + ".json";
    }
}
