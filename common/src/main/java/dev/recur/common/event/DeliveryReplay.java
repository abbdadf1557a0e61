package dev.recur.common.event;

import static com.fasterxml.jackson.annotation.JsonFormat.Shape.STRING;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A command to deliver again a delivery that was dead-lettered ({@link DeliveryDeadLetter}), on
 * {@link Topics#DELIVERY_REPLAYS}. INTERNAL: schedule-api writes it (through its outbox, after checking the requester
 * may see the dead letter), delivery reads it.
 *
 * <p>Delivery acts on a command at most once ({@code replay_id}) and only while that delivery is dead-lettered: it
 * then makes it due again as a fresh delivery (attempts from zero). A command delivered again, or another command for
 * a delivery that is no longer dead-lettered (replayed already), does nothing.
 *
 * @param replayId the command's id (a UUID), unique per request
 * @param owner the owner of the job (the dead letter's {@code owner}), not necessarily the requester
 * @param requestedBy the username of the user who asked for the replay (the owner or an administrator)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryReplay(
        @JsonProperty("type") String type,
        @JsonProperty("version") int version,
        @JsonProperty("replay_id") String replayId,
        @JsonProperty("job_id") long jobId,
        @JsonProperty("schedule_id") long scheduleId,
        @JsonProperty("owner") String owner,
        @JsonProperty("kind") DeliveryKind kind,
        @JsonProperty("requested_by") String requestedBy,

        @JsonProperty("requested_at") @JsonFormat(shape = STRING)
        Instant requestedAt) {

    public static final String TYPE = "delivery_replay";
    public static final int VERSION = 1;

    public static DeliveryReplay of(
            String replayId,
            long jobId,
            long scheduleId,
            String owner,
            DeliveryKind kind,
            String requestedBy,
            Instant requestedAt) {
        return new DeliveryReplay(TYPE, VERSION, replayId, jobId, scheduleId, owner, kind, requestedBy, requestedAt);
    }
}
