package dev.recur.common.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.recur.common.storage.ResultsBucket;

/**
 * Where a job's result pages are stored (a claim check), for results too large to travel inline.
 * On {@link JobResult} (job-runner's claim check, {@code claims/{job_id}.json}) the object holds the JSON array of
 * {@link ResultPage}s; on {@link JobRecord} (delivery's results store) the stored bytes are
 * {@code {"results": [...]}} exactly as {@code GET /v1/queries/{id}/results} returns it: the whole object
 * {@code results/{job_id}.json}, or, when {@code offset} is set, the {@code sizeBytes} bytes from {@code offset} of a
 * results pack that holds the documents of many jobs.
 *
 * @param bucket the results store's bucket
 * @param key the object key within {@code bucket}
 * @param sizeBytes the size of the stored bytes (the whole object, or the range from {@code offset})
 * @param contentType the stored document's media type, e.g. {@code application/json}
 * @param sha256 the stored bytes' SHA-256 as lower-case hex, to verify the download
 * @param offset where the document starts within the object (a byte range of a results pack); null when it is the
 *        whole object
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ResultsRef(
        @JsonProperty("bucket") String bucket,
        @JsonProperty("key") String key,
        @JsonProperty("size_bytes") long sizeBytes,
        @JsonProperty("content_type") String contentType,
        @JsonProperty("sha256") String sha256,

        @JsonProperty("offset") @JsonInclude(JsonInclude.Include.NON_NULL)
        Long offset) {

    /** A whole object. */
    public ResultsRef(String bucket, String key, long sizeBytes, String contentType, String sha256) {
        this(bucket, key, sizeBytes, contentType, sha256, null);
    }

    /** The HTTP {@code Range} header value of the stored bytes, or null when they are the whole object. */
    public String httpRange() {
        return offset == null ? null : ResultsBucket.httpRange(offset, sizeBytes);
    }
}
