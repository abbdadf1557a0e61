package dev.recur.scheduleapi.rest;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The request bodies as types, for the OpenAPI document ({@code @RequestBody(content = @Content(schema =
 * @Schema(implementation = ...)))}). The resources still read bodies as JSON trees and validate them field by field
 * (ScheduleRequestValidator and its kin): a wrong type or an unknown value is a 400 naming the field, and unknown
 * fields are ignored, as Oxylabs clients may send them, which binding these records would not give.
 */
public final class RequestBodies {

    static final String TIME = "UTC, YYYY-MM-DD HH:MM:SS";
    static final String TIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$";

    private RequestBodies() {}

    @Schema(
            name = "ScheduleRequest",
            description = "A schedule's definition (create and replace); Oxylabs-compatible, "
                    + "the other fields are Recur's optional extensions.")
    public record Schedule(
            @Schema(
                    required = true,
                    description = "5-field cron or a macro (@hourly, @daily, @weekly, @monthly, "
                            + "@yearly); must fire before end_time",
                    example = "0 16 * * *")
            @JsonProperty("cron")
            String cron,

            @Schema(required = true, minItems = 1, description = "the jobs of every run, one per item")
            @JsonProperty("items")
            List<Item> items,

            @Schema(
                    required = true,
                    description = "inclusive, in the future; " + TIME,
                    pattern = TIME_PATTERN,
                    example = "2032-12-01 16:00:00")
            @JsonProperty("end_time")
            String endTime,

            @Schema(
                    description = "(ext) IANA zone in which cron is evaluated",
                    defaultValue = "UTC",
                    example = "Europe/Vilnius")
            @JsonProperty("timezone")
            String timezone,

            @Schema(description = "(ext) no run before it; " + TIME, pattern = TIME_PATTERN) @JsonProperty("start_time")
            String startTime,

            @Schema(
                    description = "(ext) what happens to missed fire times",
                    enumeration = {"fire_once", "fire_all", "skip"},
                    defaultValue = "fire_once")
            @JsonProperty("catch_up")
            String catchUp,

            @Schema(
                    description = "(ext) skip a run while the previous one has unfinished jobs",
                    enumeration = {"allow", "skip"},
                    defaultValue = "allow")
            @JsonProperty("overlap")
            String overlap,

            @Schema(
                    description = "(ext) delay each run by up to this many seconds",
                    minimum = "0",
                    maximum = "3600",
                    defaultValue = "0")
            @JsonProperty("jitter_seconds")
            Integer jitterSeconds) {}

    @Schema(
            name = "ScheduleItem",
            additionalProperties = Schema.True.class,
            description = "The payload sent to the "
                    + "scraper, passed through untouched; Recur reads and validates the delivery keys callback_url, "
                    + "storage_type and storage_url.")
    public record Item(
            @Schema(example = "amazon_product") @JsonProperty("source")
            String source,

            @JsonProperty("query") String query,
            @JsonProperty("url") String url,
            @JsonProperty("parse") Boolean parse,

            @Schema(
                    description = "absolute http(s) URL without credentials; receives the job object when the job "
                            + "is done or faulted")
            @JsonProperty("callback_url")
            String callbackUrl,

            @Schema(enumeration = {"s3", "gcs"}) @JsonProperty("storage_type")
            String storageType,

            @Schema(
                    description = "s3://bucket/prefix, or bucket/prefix or gs://bucket/prefix for gcs; required "
                            + "with storage_type")
            @JsonProperty("storage_url")
            String storageUrl) {}

    @Schema(name = "ScheduleStateRequest")
    public record State(
            @Schema(required = true) @JsonProperty("active") boolean active) {}

    @Schema(name = "PreviewRequest", description = "(ext) Same validation as create for cron and timezone.")
    public record Preview(
            @Schema(required = true, example = "0 16 * * *") @JsonProperty("cron")
            String cron,

            @Schema(defaultValue = "UTC") @JsonProperty("timezone")
            String timezone,

            @Schema(description = "the first fire time is after it (default now); " + TIME, pattern = TIME_PATTERN)
            @JsonProperty("after")
            String after,

            @Schema(minimum = "1", defaultValue = "5", description = "at most recur.schedule-api.max-preview-count")
            @JsonProperty("count")
            Integer count) {}

    @Schema(name = "NewUserRequest")
    public record NewUser(
            @Schema(required = true, pattern = "^[A-Za-z0-9._@-]{1,64}$") @JsonProperty("username")
            String username,

            @Schema(
                    required = true,
                    minLength = AdminResource.MIN_PASSWORD_LENGTH,
                    description = "at most " + AdminResource.MAX_PASSWORD_BYTES + " bytes in UTF-8")
            @JsonProperty("password")
            String password,

            @Schema(defaultValue = "false") @JsonProperty("admin")
            Boolean admin) {}

    @Schema(name = "UserStateRequest")
    public record UserState(
            @Schema(required = true) @JsonProperty("enabled")
            boolean enabled) {}

    @Schema(name = "PasswordRequest")
    public record Password(
            @Schema(
                    required = true,
                    minLength = AdminResource.MIN_PASSWORD_LENGTH,
                    description = "at most " + AdminResource.MAX_PASSWORD_BYTES + " bytes in UTF-8")
            @JsonProperty("password")
            String password) {}

    @Schema(name = "SigningSecretRequest")
    public record SigningSecret(
            @Schema(
                    minimum = "0",
                    maximum = "604800",
                    defaultValue = "86400",
                    description = "how long the replaced " + "secret keeps signing too")
            @JsonProperty("previous_valid_for_seconds")
            Long previousValidForSeconds) {}
}
