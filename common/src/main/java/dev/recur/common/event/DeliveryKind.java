package dev.recur.common.event;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a job's result was being delivered. */
public enum DeliveryKind {
    /** POST to the item's {@code callback_url}. */
    @JsonProperty("callback")
    CALLBACK,
    /** Object in the user's S3 bucket. */
    @JsonProperty("s3")
    S3,
    /** Object in the user's GCS bucket. */
    @JsonProperty("gcs")
    GCS,
    /** Object in the deployment's own results store. */
    @JsonProperty("results_store")
    RESULTS_STORE
}
