package dev.recur.common.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.recur.common.json.EventJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds the published JSON Schemas in {@code docs/schemas} to what the event records really write, so that
 * the documentation of the public contract cannot drift from the code.
 */
class EventSchemaTest {

    // Maven runs a module's tests with the module as working directory; docs/ sits next to the modules
    private static final Path DOCS = Path.of("..", "docs");
    private static final Path SCHEMAS = DOCS.resolve("schemas");

    private static final Map<String, Class<?>> RECORDS = Map.of(
            ScheduleSnapshot.TYPE, ScheduleSnapshot.class,
            DueRun.TYPE, DueRun.class,
            JobResult.TYPE, JobResult.class,
            ScheduleStats.TYPE, ScheduleStats.class,
            JobRecord.TYPE, JobRecord.class,
            DeliveryDeadLetter.TYPE, DeliveryDeadLetter.class,
            DeliveryReplay.TYPE, DeliveryReplay.class,
            SigningSecret.TYPE, SigningSecret.class,
            TenantBuckets.TYPE, TenantBuckets.class);

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    // formats are only annotations in 2020-12 unless asserted; a malformed date-time must fail here
    private static final SchemaValidatorsConfig CONFIG =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private static final Map<String, JsonSchema> SCHEMAS_BY_TYPE = new HashMap<>();

    private static final long SCHEDULE_ID = 3809594044634907291L;
    private static final long RUN_ID = 6679333184223785291L;
    private static final long JOB_ID = 340607039567941077L;
    private static final Instant AT = Instant.parse("2026-11-29T16:00:00Z");
    private static final String SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static Stream<String> goldenFiles() {
        try (Stream<Path> files =
                Files.list(Path.of(Golden.class.getResource("/events").toURI()))) {
            List<String> names = files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".json"))
                    .sorted()
                    .toList();
            assertThat(names).as("golden files under src/test/resources/events").isNotEmpty();
            return names.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<String> eventTypes() {
        return RECORDS.keySet().stream().sorted();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("eventTypes")
    void shouldBeValidDraft202012SchemaWhenCheckedAgainstMetaSchema(String type) {
        JsonSchema metaSchema = FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012), CONFIG);
        JsonNode schema = readSchemaFile(type);

        assertThat(metaSchema.validate(schema))
                .as("meta-schema errors of %s", schemaFile(type))
                .isEmpty();
        assertThat(schema.path("$schema").asText()).isEqualTo(SchemaId.V202012);
        assertThat(schema.path("properties").path("type").path("const").asText())
                .isEqualTo(type);
        assertThat(schema.path("properties").path("version").path("const").asInt())
                .isEqualTo(1);
        assertThat(schema.path("additionalProperties").asBoolean()).isTrue();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goldenFiles")
    void shouldValidateWhenGoldenFileIsCheckedAgainstSchemaOfItsType(String file) {
        ObjectNode golden = Golden.tree(file);

        assertThat(errors(golden)).as("schema errors of golden %s", file).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goldenFiles")
    void shouldValidateWhenGoldenFileIsReadAndWrittenByItsRecord(String file) {
        ObjectNode golden = Golden.tree(file);
        Object event =
                EventJson.read(Golden.bytes(file), recordOf(golden.path("type").asText()));

        JsonNode written = Golden.tree(EventJson.write(event));

        assertThat(errors(written))
                .as("schema errors of %s written by its record", file)
                .isEmpty();
    }

    @Test
    void shouldValidateWhenEventsAreBuiltByFactories() {
        ObjectNode item = (ObjectNode) Golden.tree("job_result.json").get("item");
        ResultPage page = new ResultPage(
                Golden.tree("job_result.json").get("results").get(1).get("content"),
                200,
                "https://example.com/",
                1,
                AT,
                AT.plusSeconds(1),
                null,
                null);
        ResultsRef claim =
                new ResultsRef("recur-results", "claims/" + JOB_ID + ".json", 4_718_592, "application/json", SHA256);
        List<Object> events = List.of(
                ScheduleSnapshot.of(
                        SCHEDULE_ID,
                        "alice",
                        1,
                        "*/5 * * * *",
                        null,
                        List.of(item),
                        null,
                        AT.plusSeconds(86_400),
                        true,
                        CatchUp.SKIP,
                        Overlap.ALLOW,
                        0,
                        AT,
                        AT),
                DueRun.of(
                        RUN_ID,
                        SCHEDULE_ID,
                        "alice",
                        AT,
                        AT.plusSeconds(12),
                        true,
                        0,
                        1,
                        0,
                        1,
                        List.of(item),
                        AT.plusMillis(3)),
                DueRun.of(RUN_ID, SCHEDULE_ID, "alice", AT, AT, true, 0, 1, 0, 1, List.of(item), AT.plusMillis(3))
                        .withSkippedRuns(31),
                JobResult.of(
                        JOB_ID,
                        SCHEDULE_ID,
                        RUN_ID,
                        "alice",
                        AT,
                        0,
                        item,
                        200,
                        JobStatus.DONE,
                        null,
                        "http_fetcher",
                        1,
                        AT,
                        AT.plusSeconds(2),
                        List.of(page),
                        null),
                JobResult.of(
                        JOB_ID,
                        SCHEDULE_ID,
                        RUN_ID,
                        "alice",
                        AT,
                        0,
                        item,
                        200,
                        JobStatus.DONE,
                        null,
                        "oxylabs",
                        1,
                        AT,
                        AT.plusSeconds(2),
                        null,
                        claim),
                JobResult.of(
                                JOB_ID,
                                SCHEDULE_ID,
                                RUN_ID,
                                "alice",
                                AT,
                                0,
                                item,
                                200,
                                JobStatus.DONE,
                                null,
                                "oxylabs",
                                1,
                                AT,
                                AT.plusSeconds(2),
                                null,
                                claim)
                        .withSkippedRuns(31),
                dev.recur.common.seal.CallbackSeal.parse(
                                "k1:" + java.util.Base64.getEncoder().encodeToString(new byte[16]))
                        .seal(JobResult.of(
                                JOB_ID,
                                SCHEDULE_ID,
                                RUN_ID,
                                "alice",
                                AT,
                                0,
                                item.deepCopy().put("callback_url", "https://example.com/hook?token=t"),
                                200,
                                JobStatus.DONE,
                                null,
                                "oxylabs",
                                1,
                                AT,
                                AT.plusSeconds(2),
                                List.of(page),
                                null)),
                TenantBuckets.of("alice", List.of("s3://acme-*", "gs://acme-archive"), AT),
                TenantBuckets.of("alice", List.of(), AT),
                JobResult.of(
                        JOB_ID,
                        SCHEDULE_ID,
                        RUN_ID,
                        "alice",
                        AT,
                        0,
                        item,
                        0,
                        JobStatus.FAULTED,
                        "no scraper backend serves source \"x\"",
                        "none",
                        0,
                        AT,
                        AT,
                        List.of(),
                        null),
                ScheduleStats.of(SCHEDULE_ID, "alice", 0, List.of(), List.of(), AT),
                ScheduleStats.of(SCHEDULE_ID, "alice", 1, List.of(), List.of(), AT, 31),
                ScheduleStats.of(
                        SCHEDULE_ID,
                        "alice",
                        2,
                        List.of(new ScheduleStats.CreateOutcome(200, 2, 1.0)),
                        List.of(
                                new ScheduleStats.ResultOutcome("done", 1, 0.5),
                                new ScheduleStats.ResultOutcome("faulted", 1, 0.5)),
                        AT),
                JobRecord.of(
                        JOB_ID,
                        RUN_ID,
                        SCHEDULE_ID,
                        "alice",
                        AT,
                        0,
                        item,
                        200,
                        JobStatus.DONE,
                        null,
                        AT,
                        AT.plusSeconds(2),
                        new ResultsRef("recur-results", "results/" + JOB_ID + ".json", 10, "application/json", SHA256)),
                JobRecord.of(
                        JOB_ID,
                        RUN_ID,
                        SCHEDULE_ID,
                        "alice",
                        AT,
                        0,
                        item,
                        524,
                        JobStatus.FAULTED,
                        "gave up",
                        AT,
                        AT.plusSeconds(2),
                        null),
                DeliveryDeadLetter.of(
                        JOB_ID,
                        SCHEDULE_ID,
                        RUN_ID,
                        "alice",
                        DeliveryKind.GCS,
                        "gs://bucket/path",
                        5,
                        AT,
                        AT.plusSeconds(600),
                        null,
                        "access denied"),
                DeliveryReplay.of(
                        "0b8e2f4c-6a1d-4f3e-9c2b-7d5a1e0f3b6c",
                        JOB_ID,
                        SCHEDULE_ID,
                        "alice",
                        DeliveryKind.S3,
                        "admin",
                        AT));

        for (Object event : events) {
            JsonNode json = Golden.tree(EventJson.write(event));

            assertThat(errors(json)).as("schema errors of %s", json).isEmpty();
        }
    }

    @Test
    void shouldAcceptUnknownFieldsWhenTheyAreAddedAtAnyLevel() {
        ObjectNode result = Golden.tree("job_result.json");
        result.put("added_in_a_later_version", "x");
        ((ObjectNode) result.get("results").get(0)).put("also_new", 1);
        ObjectNode large = Golden.tree("job_result_large.json");
        ((ObjectNode) large.get("results_ref")).put("also_new", true);

        assertThat(errors(result)).isEmpty();
        assertThat(errors(large)).isEmpty();
    }

    static Stream<Arguments> invalidEvents() {
        return Stream.of(
                invalid("job_result.json", "missing job_id", "required", json -> json.remove("job_id")),
                invalid("job_result.json", "missing status", "required", json -> json.remove("status")),
                invalid("job_result.json", "missing item", "required", json -> json.remove("item")),
                invalid(
                        "job_result.json",
                        "job_id as a string",
                        "type",
                        json -> json.put("job_id", "340607039567941077")),
                invalid("job_result.json", "schedule_id as a fraction", "type", json -> json.put("schedule_id", 1.5)),
                invalid("job_result.json", "run_id 0", "minimum", json -> json.put("run_id", 0)),
                invalid(
                        "job_result.json",
                        "both results and results_ref",
                        "oneOf",
                        json -> json.set(
                                "results_ref",
                                Golden.tree("job_result_large.json").get("results_ref"))),
                invalid("job_result.json", "neither results nor results_ref", "oneOf", json -> json.remove("results")),
                invalid("job_result.json", "unknown status", "enum", json -> json.put("status", "cancelled")),
                invalid("job_result_faulted.json", "faulted without error", "required", json -> json.remove("error")),
                invalid(
                        "job_result.json",
                        "page without status_code",
                        "required",
                        json -> ((ObjectNode) json.get("results").get(0)).remove("status_code")),
                invalid(
                        "job_result.json",
                        "content as a number",
                        "type",
                        json -> ((ObjectNode) json.get("results").get(0)).put("content", 42)),
                invalid(
                        "job_result_large.json",
                        "results_ref without sha256",
                        "required",
                        json -> ((ObjectNode) json.get("results_ref")).remove("sha256")),
                invalid("job_result.json", "version 2", "const", json -> json.put("version", 2)),
                invalid("job_result.json", "negative skipped_runs", "minimum", json -> json.put("skipped_runs", -1)),
                invalid(
                        "job_result_sealed_callback.json",
                        "sealed_callback_url without a key id",
                        "pattern",
                        json -> json.put("sealed_callback_url", "no-key-id")),
                invalid("tenant_buckets.json", "missing buckets", "required", json -> json.remove("buckets")),
                invalid(
                        "tenant_buckets.json",
                        "an entry without s3:// or gs://",
                        "pattern",
                        json -> json.putArray("buckets").add("acme-results")),
                invalid("due_run.json", "skipped_runs as a fraction", "type", json -> json.put("skipped_runs", 1.5)),
                invalid(
                        "schedule_stats.json",
                        "negative skipped_run_count",
                        "minimum",
                        json -> json.put("skipped_run_count", -1)),
                invalid(
                        "job_result.json",
                        "updated_at not a date-time",
                        "format",
                        json -> json.put("updated_at", "2026-11-29 16:00:09")),
                invalid("schedule_snapshot.json", "unknown catch_up", "enum", json -> json.put("catch_up", "always")),
                invalid("schedule_snapshot.json", "missing revision", "required", json -> json.remove("revision")),
                invalid("due_run.json", "items not an array", "type", json -> json.put("items", "x")),
                invalid(
                        "due_run.json",
                        "schedule_id as a string",
                        "type",
                        json -> json.put("schedule_id", "3809594044634907291")),
                invalid(
                        "schedule_stats.json",
                        "ratio above 1",
                        "maximum",
                        json -> ((ObjectNode) json.get("job_create_outcomes").get(0)).put("ratio", 1.5)),
                invalid(
                        "job_record.json",
                        "unknown result_status",
                        "enum",
                        json -> json.put("result_status", "running")),
                invalid("job_record.json", "missing job_id", "required", json -> json.remove("job_id")),
                invalid(
                        "job_record_packed.json",
                        "negative offset",
                        "minimum",
                        json -> ((ObjectNode) json.get("results_ref")).put("offset", -1)),
                invalid("delivery_dead_letter.json", "unknown kind", "enum", json -> json.put("kind", "ftp")),
                invalid("delivery_dead_letter.json", "missing target", "required", json -> json.remove("target")),
                invalid("delivery_replay.json", "missing replay_id", "required", json -> json.remove("replay_id")),
                invalid("delivery_replay.json", "replay_id not a UUID", "pattern", json -> json.put("replay_id", "1")));
    }

    @ParameterizedTest(name = "[{index}] {0}: {1}")
    @MethodSource("invalidEvents")
    void shouldFailValidationWhenEventBreaksTheContract(
            String file, String change, String keyword, Consumer<ObjectNode> breakIt) {
        ObjectNode json = Golden.tree(file);
        assertThat(errors(json)).as("golden %s before the change", file).isEmpty();

        breakIt.accept(json);

        assertThat(errors(json))
                .as("schema errors of %s with %s", file, change)
                .extracting(ValidationMessage::getType)
                .contains(keyword);
    }

    // the AsyncAPI document is the other half of the published contract: it must name every topic of Topics.ALL
    @Test
    void shouldDescribeEveryTopicWhenAsyncApiIsRead() throws IOException {
        Path asyncApi = DOCS.resolve("asyncapi.yaml");
        assertThat(asyncApi)
                .as("AsyncAPI document (working directory %s)", Path.of("").toAbsolutePath())
                .exists();
        JsonNode doc = new YAMLMapper().readTree(asyncApi.toFile());
        Map<String, JsonNode> channelsByAddress = new HashMap<>();
        doc.path("channels")
                .forEach(
                        channel -> channelsByAddress.put(channel.path("address").asText(), channel));

        assertThat(doc.path("asyncapi").asText()).isEqualTo("3.0.0");
        assertThat(channelsByAddress.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        Topics.ALL.stream().map(Topics.Spec::name).toList());
        for (Topics.Spec spec : Topics.ALL) {
            JsonNode kafka = channelsByAddress.get(spec.name()).path("bindings").path("kafka");
            assertThat(kafka.path("partitions").asInt())
                    .as("partitions of %s", spec.name())
                    .isEqualTo(spec.partitions());
            assertThat(kafka.path("topicConfiguration")
                            .path("cleanup.policy")
                            .get(0)
                            .asText())
                    .as("cleanup.policy of %s", spec.name())
                    .isEqualTo(spec.compacted() ? "compact" : "delete");
            assertThat(kafka.path("topicConfiguration")
                            .path("max.message.bytes")
                            .asInt())
                    .as("max.message.bytes of %s", spec.name())
                    .isEqualTo(spec.maxMessageBytes());
        }
        List<String> payloadRefs = new ArrayList<>();
        doc.path("components").path("messages").forEach(message -> {
            JsonNode ref = message.path("payload").path("schema").path("$ref");
            if (ref.isTextual()) {
                payloadRefs.add(ref.asText());
            }
        });
        assertThat(payloadRefs)
                .allSatisfy(ref -> assertThat(DOCS.resolve(ref).normalize()).exists());
        assertThat(payloadRefs)
                .containsAll(eventTypes()
                        .map(type -> "./schemas/" + type + ".schema.json")
                        .toList());
    }

    private static Arguments invalid(String file, String change, String keyword, Consumer<ObjectNode> breakIt) {
        return Arguments.of(file, change, keyword, breakIt);
    }

    private static Set<ValidationMessage> errors(JsonNode event) {
        String type = event.path("type").asText();
        assertThat(RECORDS).as("event type of %s", event).containsKey(type);
        return schemaOf(type).validate(event);
    }

    private static Class<?> recordOf(String type) {
        assertThat(RECORDS).as("event types with a record").containsKey(type);
        return RECORDS.get(type);
    }

    private static synchronized JsonSchema schemaOf(String type) {
        return SCHEMAS_BY_TYPE.computeIfAbsent(type, t -> FACTORY.getSchema(readSchemaFile(t), CONFIG));
    }

    private static JsonNode readSchemaFile(String type) {
        Path file = schemaFile(type);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no JSON Schema for event type " + type + " at " + file.toAbsolutePath()
                    + "; the schemas live in docs/schemas of the repository and tests must run with the common"
                    + " module as working directory");
        }
        try {
            return EventJson.mapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
        }
    }

    private static Path schemaFile(String type) {
        return SCHEMAS.resolve(type + ".schema.json");
    }
}
