package dev.recur.common.event;

import static com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A tenant's current callback signing secret, on {@link Topics#SIGNING_SECRETS}, keyed by the owner; a tombstone
 * returns the owner to the deployment's signing key. INTERNAL: schedule-api writes it, delivery reads it, nobody else
 * may (Kafka ACLs in k8s/base/kafka-users.yaml).
 *
 * <p>A record names only the newest secret. The secret it replaces (the previous record of the same owner) stays
 * valid until {@code previousValidUntil}; the topic's {@code min.compaction.lag.ms} exceeds the longest rotation
 * window, so a consumer that reads the topic from the start still sees that previous record while it is valid.
 *
 * @param owner the tenant (the schedules' {@code owner})
 * @param secretId a public, non-secret id of the secret ({@code whsec_} values are never logged; ids are)
 * @param secret the HMAC-SHA256 key, as the API showed it to the owner once
 * @param createdAt when the secret was created
 * @param previousValidUntil until when the owner's previous secret still signs callbacks too; absent when it
 *     stopped at once (or there was none)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SigningSecret(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("owner") String owner,
        @JsonProperty("secret_id") String secretId,
        @JsonProperty("secret") String secret,

        @JsonProperty("created_at") @JsonFormat(shape = STRING)
        Instant createdAt,

        @JsonProperty("previous_valid_until") @JsonFormat(shape = STRING)
        Instant previousValidUntil) {

    public static final String TYPE = "signing_secret";
    public static final int VERSION = 1;

    public static SigningSecret of(
            String owner, String secretId, String secret, Instant createdAt, Instant previousValidUntil) {
        return new SigningSecret(TYPE, VERSION, owner, secretId, secret, createdAt, previousValidUntil);
    }

    /** Never the secret itself: records end up in logs and assertion messages. */
    @Override
    public String toString() {
        return "SigningSecret[owner=" + owner + ", secretId=" + secretId + ", createdAt=" + createdAt
                + ", previousValidUntil=" + previousValidUntil + "]";
    }
}
