package dev.recur.common.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a job's result pages are stored (a claim check), for results too large to travel inline.
 * On {@link JobResult} (job-runner's claim check, {@code claims/{job_id}.json}) the object holds the JSON array of
 * {@link ResultPage}s; on {@link JobRecord} (delivery's results store, {@code results/{job_id}.json}) it holds
 * {@code {"results": [...]}} exactly as {@code GET /v1/queries/{id}/results} returns it.
 *
 * @param bucket the results store's bucket
 * @param key the object key within {@code bucket}
 * @param sizeBytes the object's size
 * @param contentType the object's media type, e.g. {@code application/json}
 * @param sha256 the object's SHA-256 as lower-case hex, to verify the download
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResultsRef(
        @JsonProperty("bucket") String bucket,
        @JsonProperty("key") String key,
        @JsonProperty("size_bytes") long sizeBytes,
        @JsonProperty("content_type") String contentType,
        @JsonProperty("sha256") String sha256) {
}
