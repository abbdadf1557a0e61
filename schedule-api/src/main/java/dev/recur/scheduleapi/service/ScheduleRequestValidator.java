package dev.recur.scheduleapi.service;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.cron.CronExpression;
import dev.recur.common.cron.FireTimes;
import dev.recur.common.event.CatchUp;
import dev.recur.common.event.Overlap;
import dev.recur.common.json.EventJson;
import dev.recur.common.storage.BucketPolicy;
import dev.recur.common.storage.InvalidStorageTargetException;
import dev.recur.common.storage.StorageTarget;
import dev.recur.common.time.ApiTime;
import dev.recur.scheduleapi.config.ScheduleApiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Turns request bodies into validated definitions, collecting one error per invalid field so that a user
 * fixes everything in one round trip. Unknown top-level fields are ignored, as Oxylabs clients may send them.
 */
@ApplicationScoped
public class ScheduleRequestValidator {

    static final int MAX_JITTER_SECONDS = 3600;
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final Set<String> ZONES = ZoneId.getAvailableZoneIds();

    @Inject
    ScheduleApiConfig config;

    @Inject
    BucketPolicy buckets;

    public ScheduleDefinition definition(JsonNode body, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        ObjectNode object = requireObject(body);
        CronInZone schedule = cronInZone(object, errors);
        List<ObjectNode> items = items(object, errors);

        Instant endTime = null;
        String endText = requiredString(object, "end_time", errors);
        if (endText != null) {
            endTime = time(endText, "end_time", errors);
            if (endTime != null && !endTime.isAfter(now)) {
                errors.add(new FieldError("end_time", "must be in the future"));
                endTime = null;
            }
        }
        Instant startTime = null;
        String startText = optionalString(object, "start_time", errors);
        if (startText != null) {
            startTime = time(startText, "start_time", errors);
            if (startTime != null && endTime != null && !startTime.isBefore(endTime)) {
                errors.add(new FieldError("start_time", "must be before end_time"));
            }
        }
        CatchUp catchUp = choice(object, "catch_up", CatchUp.class, CatchUp.FIRE_ONCE, errors);
        Overlap overlap = choice(object, "overlap", Overlap.class, Overlap.ALLOW, errors);
        int jitter = jitter(object, errors);

        if (errors.isEmpty() && !new FireTimes(schedule.cron(), schedule.zone(), startTime, endTime).firesAfter(now)) {
            errors.add(new FieldError("cron", "never fires between now (or start_time) and end_time"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new ScheduleDefinition(
                schedule.cronText(), schedule.timezone(), items, startTime, endTime, catchUp, overlap, jitter);
    }

    public PreviewRequest preview(JsonNode body, Instant now) {
        List<FieldError> errors = new ArrayList<>();
        ObjectNode object = requireObject(body);
        CronInZone schedule = cronInZone(object, errors);
        String afterText = optionalString(object, "after", errors);
        Instant after = afterText == null ? now : time(afterText, "after", errors);
        int count = 5;
        JsonNode countNode = object.get("count");
        if (countNode != null && !countNode.isNull()) {
            if (!countNode.isIntegralNumber()
                    || countNode.asLong() < 1
                    || countNode.asLong() > config.maxPreviewCount()) {
                errors.add(new FieldError("count", "must be an integer from 1 to " + config.maxPreviewCount()));
            } else {
                count = countNode.asInt();
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new PreviewRequest(schedule.cron(), schedule.zone(), after, count);
    }

    /** The cron and timezone fields, as create and preview both take them; null parts are in {@code errors}. */
    private record CronInZone(String cronText, CronExpression cron, String timezone, ZoneId zone) {}

    private static CronInZone cronInZone(ObjectNode object, List<FieldError> errors) {
        String cronText = requiredString(object, "cron", errors);
        CronExpression cron = cronText == null ? null : parseCron(cronText, errors);
        String timezone = optionalString(object, "timezone", errors);
        ZoneId zone = timezone == null ? UTC : zone(timezone, "timezone", errors);
        return new CronInZone(cronText, cron, timezone == null ? UTC.getId() : timezone, zone);
    }

    public boolean active(JsonNode body) {
        ObjectNode object = requireObject(body);
        JsonNode active = object.get("active");
        if (active == null || !active.isBoolean()) {
            throw ApiException.invalid("active", "is required and must be true or false");
        }
        return active.booleanValue();
    }

    private static ObjectNode requireObject(JsonNode body) {
        if (body == null || body.isMissingNode() || body.isNull()) {
            throw new ApiException(400, "the request body is missing; expected a JSON object", List.of());
        }
        if (!body.isObject()) {
            throw new ApiException(400, "the request body must be a JSON object", List.of());
        }
        return (ObjectNode) body;
    }

    private static String requiredString(ObjectNode object, String field, List<FieldError> errors) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        return string(node, field, errors);
    }

    private static String optionalString(ObjectNode object, String field, List<FieldError> errors) {
        JsonNode node = object.get(field);
        return node == null || node.isNull() ? null : string(node, field, errors);
    }

    private static String string(JsonNode node, String field, List<FieldError> errors) {
        if (!node.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        return node.textValue();
    }

    private static CronExpression parseCron(String text, List<FieldError> errors) {
        try {
            CronExpression cron = Crons.parse(text);
            if (cron.neverFires()) {
                errors.add(new FieldError("cron", "never fires"));
                return null;
            }
            return cron;
        } catch (IllegalArgumentException e) {
            // an InvalidCronException, caught as its JDK supertype: in the Quarkus test JVM a catch of the
            // subtype itself let it escape as a 500 (seen in BadInputMatrixQuarkusTest)
            errors.add(new FieldError("cron", e.getMessage()));
            return null;
        }
    }

    private static ZoneId zone(String text, String field, List<FieldError> errors) {
        if (!ZONES.contains(text)) {
            errors.add(new FieldError(field, "'" + text + "' is not an IANA time zone such as Europe/Vilnius"));
            return null;
        }
        return ZoneId.of(text);
    }

    private static Instant time(String text, String field, List<FieldError> errors) {
        try {
            return ApiTime.parse(text);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field, e.getMessage()));
            return null;
        }
    }

    private static <E extends Enum<E>> E choice(
            ObjectNode object, String field, Class<E> type, E fallback, List<FieldError> errors) {
        String text = optionalString(object, field, errors);
        if (text == null) {
            return fallback;
        }
        for (E value : type.getEnumConstants()) {
            if (value.name().toLowerCase(Locale.ROOT).equals(text)) {
                return value;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E value : type.getEnumConstants()) {
            allowed.add(value.name().toLowerCase(Locale.ROOT));
        }
        errors.add(new FieldError(field, "must be one of " + String.join(", ", allowed)));
        return fallback;
    }

    private static int jitter(ObjectNode object, List<FieldError> errors) {
        JsonNode node = object.get("jitter_seconds");
        if (node == null || node.isNull()) {
            return 0;
        }
        if (!node.isIntegralNumber() || node.asLong() < 0 || node.asLong() > MAX_JITTER_SECONDS) {
            errors.add(new FieldError("jitter_seconds", "must be an integer from 0 to " + MAX_JITTER_SECONDS));
            return 0;
        }
        return node.asInt();
    }

    private List<ObjectNode> items(ObjectNode object, List<FieldError> errors) {
        JsonNode node = object.get("items");
        if (node == null || node.isNull()) {
            errors.add(new FieldError("items", "is required"));
            return List.of();
        }
        if (!node.isArray() || node.isEmpty()) {
            errors.add(new FieldError("items", "must be a non-empty list of objects"));
            return List.of();
        }
        if (node.size() > config.maxItems()) {
            errors.add(new FieldError("items", "must have at most " + config.maxItems() + " items"));
            return List.of();
        }
        List<ObjectNode> items = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String field = "items[" + i + "]";
            if (!item.isObject()) {
                errors.add(new FieldError(field, "must be a JSON object"));
                continue;
            }
            int size = EventJson.write(item).length;
            if (size > config.maxItemBytes()) {
                errors.add(
                        new FieldError(field, "is " + size + " bytes; at most " + config.maxItemBytes() + " allowed"));
                continue;
            }
            deliveryKeys((ObjectNode) item, field, errors);
            items.add((ObjectNode) item);
        }
        return items;
    }

    private void deliveryKeys(ObjectNode item, String prefix, List<FieldError> errors) {
        String callback = optionalString(item, "callback_url", errors, prefix);
        if (callback != null && !isHttpUrl(callback)) {
            errors.add(new FieldError(prefix + ".callback_url", "must be an absolute http or https URL"));
        } else if (callback != null && hasUserInfo(callback)) {
            errors.add(
                    new FieldError(
                            prefix + ".callback_url",
                            "must not carry credentials (user:password@): a URL's "
                                    + "userinfo travels on the job results topic; check X-Recur-Signature on the receiver instead"));
        }
        String type = optionalString(item, "storage_type", errors, prefix);
        String url = optionalString(item, "storage_url", errors, prefix);
        if (type == null) {
            if (url != null) {
                errors.add(new FieldError(prefix + ".storage_type", "is required with storage_url (s3 or gcs)"));
            }
            return;
        }
        if (url == null) {
            errors.add(new FieldError(prefix + ".storage_url", "is required with storage_type"));
            return;
        }
        try {
            buckets.check(StorageTarget.parse(StorageTarget.Type.of(type), url));
        } catch (InvalidStorageTargetException e) {
            errors.add(new FieldError(prefix + "." + e.field(), e.problem()));
        }
    }

    private static String optionalString(ObjectNode item, String key, List<FieldError> errors, String prefix) {
        JsonNode node = item.get(key);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(prefix + "." + key, "must be a string"));
            return null;
        }
        return node.textValue();
    }

    private static boolean hasUserInfo(String text) {
        try {
            return new URI(text).getRawUserInfo() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return uri.isAbsolute()
                    && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null
                    && !uri.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
