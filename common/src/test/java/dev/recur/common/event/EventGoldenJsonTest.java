package dev.recur.common.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.recur.common.json.EventJson;
import dev.recur.common.json.EventSerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventGoldenJsonTest {

    private static final long SCHEDULE_ID = 3809594044634907291L;
    private static final long RUN_ID = 6679333184223785291L;
    private static final long JOB_ID = 340607039567941077L;

    static Stream<Arguments> goldenFiles() {
        return Stream.of(
                Arguments.of("schedule_snapshot.json", ScheduleSnapshot.class),
                Arguments.of("due_run.json", DueRun.class),
                Arguments.of("job_result.json", JobResult.class),
                Arguments.of("job_result_large.json", JobResult.class),
                Arguments.of("job_result_faulted.json", JobResult.class),
                Arguments.of("job_result_sealed_callback.json", JobResult.class),
                Arguments.of("schedule_stats.json", ScheduleStats.class),
                Arguments.of("job_record.json", JobRecord.class),
                Arguments.of("job_record_packed.json", JobRecord.class),
                Arguments.of("delivery_dead_letter.json", DeliveryDeadLetter.class),
                Arguments.of("delivery_replay.json", DeliveryReplay.class),
                Arguments.of("signing_secret.json", SigningSecret.class),
                Arguments.of("tenant_buckets.json", TenantBuckets.class));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goldenFiles")
    void shouldWriteGoldenJsonWhenReadFromGoldenJson(String file, Class<?> type) {
        Object event = EventJson.read(Golden.bytes(file), type);

        assertThat(Golden.tree(EventJson.write(event))).isEqualTo(Golden.tree(file));
    }

    // services may serialize with their own mapper (e.g. Quarkus's); the annotations alone fix the JSON
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goldenFiles")
    void shouldWriteGoldenJsonWhenMapperHasOtherSettings(String file, Class<?> type) throws IOException {
        ObjectMapper other = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE);

        Object event = other.readValue(Golden.bytes(file), type);

        assertThat(Golden.tree(other.writeValueAsBytes(event))).isEqualTo(Golden.tree(file));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goldenFiles")
    void shouldIgnoreUnknownFieldsWhenMapperFailsOnThem(String file, Class<?> type) throws IOException {
        ObjectNode json = Golden.tree(file);
        json.put("added_in_a_later_version", "x");
        json.fields().forEachRemaining(field -> {
            if (!field.getKey().equals("item") && !field.getKey().equals("items")) {
                field.getValue().findParents("status_code").forEach(nested -> ((ObjectNode) nested).put("also_new", 1));
                field.getValue().findParents("bucket").forEach(nested -> ((ObjectNode) nested).put("also_new", 1));
            }
        });
        ObjectMapper strict = new ObjectMapper().registerModule(new JavaTimeModule());

        Object event = strict.readValue(strict.writeValueAsBytes(json), type);

        assertThat(event).isEqualTo(EventJson.read(Golden.bytes(file), type));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("goldenFiles")
    void shouldCarryTypeAndVersionWhenRead(String file, Class<?> record) {
        JsonNode json = Golden.tree(file);

        assertThat(json.get("version").asInt()).isEqualTo(1);
        // a variant's file is named after its type: job_result_large.json, job_record_packed.json
        String type = file.startsWith("job_result")
                ? "job_result"
                : file.startsWith("job_record") ? "job_record" : file.replace(".json", "");
        assertThat(json.get("type").asText()).isEqualTo(type);
    }

    @Test
    void shouldKeepLargeIdsExactWhenReading() {
        JobResult result = EventJson.read(Golden.bytes("job_result.json"), JobResult.class);

        assertThat(result.scheduleId()).isEqualTo(SCHEDULE_ID);
        assertThat(result.runId()).isEqualTo(RUN_ID);
        assertThat(result.jobId()).isEqualTo(JOB_ID);
        assertThat(result.status()).isEqualTo(JobStatus.DONE);
        assertThat(result.results()).hasSize(2);
        assertThat(result.results().get(0).content().isObject()).isTrue();
        assertThat(result.results().get(1).content().asText()).startsWith("<!doctype html>");
        assertThat(result.resultsRef()).isNull();
    }

    @Test
    void shouldEqualGoldenSnapshotWhenBuiltByFactory() {
        ObjectNode golden = Golden.tree("schedule_snapshot.json");
        List<ObjectNode> items = List.of((ObjectNode) golden.get("items").get(0), (ObjectNode)
                golden.get("items").get(1));

        ScheduleSnapshot built = ScheduleSnapshot.of(
                SCHEDULE_ID,
                "alice",
                3,
                "0 16 * * *",
                "Europe/Berlin",
                items,
                Instant.parse("2026-11-29T00:00:00Z"),
                Instant.parse("2032-12-01T16:00:00Z"),
                true,
                CatchUp.FIRE_ONCE,
                Overlap.SKIP,
                30,
                Instant.parse("2026-11-28T17:40:00Z"),
                Instant.parse("2026-11-28T17:45:12.345Z"));

        assertThat(built).isEqualTo(EventJson.read(Golden.bytes("schedule_snapshot.json"), ScheduleSnapshot.class));
    }

    @Test
    void shouldEqualGoldenDueRunWhenBuiltByFactory() {
        ObjectNode item = (ObjectNode) Golden.tree("due_run.json").get("items").get(0);

        DueRun built = DueRun.of(
                RUN_ID,
                SCHEDULE_ID,
                "alice",
                Instant.parse("2026-11-29T15:00:00Z"),
                Instant.parse("2026-11-29T15:00:30Z"),
                false,
                1,
                2,
                500,
                501,
                List.of(item),
                Instant.parse("2026-11-29T15:00:00.012Z"));

        assertThat(built).isEqualTo(EventJson.read(Golden.bytes("due_run.json"), DueRun.class));
    }

    @Test
    void shouldFillTypeAndVersionWhenBuiltByFactory() {
        Instant now = Instant.parse("2026-11-29T16:00:00Z");
        ResultsRef ref = new ResultsRef("b", "k", 1, "application/json", "00");

        assertThat(JobResult.of(
                        JOB_ID,
                        SCHEDULE_ID,
                        RUN_ID,
                        "alice",
                        now,
                        0,
                        null,
                        200,
                        JobStatus.DONE,
                        null,
                        "oxylabs",
                        1,
                        now,
                        now,
                        null,
                        ref))
                .extracting(JobResult::type, JobResult::version)
                .containsExactly("job_result", 1);
        assertThat(ScheduleStats.of(SCHEDULE_ID, "alice", 0, List.of(), List.of(), now))
                .extracting(ScheduleStats::type, ScheduleStats::version)
                .containsExactly("schedule_stats", 1);
        assertThat(JobRecord.of(
                        JOB_ID, RUN_ID, SCHEDULE_ID, "alice", now, 0, null, 200, JobStatus.DONE, null, now, now, null))
                .extracting(JobRecord::type, JobRecord::version)
                .containsExactly("job_record", 1);
        assertThat(DeliveryDeadLetter.of(
                        JOB_ID,
                        SCHEDULE_ID,
                        RUN_ID,
                        "alice",
                        DeliveryKind.S3,
                        "s3://b/p",
                        5,
                        now,
                        now,
                        null,
                        "access denied"))
                .extracting(DeliveryDeadLetter::type, DeliveryDeadLetter::version)
                .containsExactly("delivery_dead_letter", 1);
    }

    @Test
    void shouldReadNullOrDefaultWhenOptionalFieldsAreMissing() {
        ObjectNode snapshot = Golden.tree("schedule_snapshot.json");
        snapshot.remove(List.of("start_time", "timezone"));
        ObjectNode result = Golden.tree("job_result.json");
        ((ObjectNode) result.get("results").get(0)).remove(List.of("parser_type", "job_id"));
        ObjectNode record = Golden.tree("job_record.json");
        record.remove(List.of("error", "results_ref"));
        ObjectNode deadLetter = Golden.tree("delivery_dead_letter.json");
        deadLetter.remove("last_status_code");

        ScheduleSnapshot readSnapshot = read(snapshot, ScheduleSnapshot.class);
        JobResult readResult = read(result, JobResult.class);
        JobRecord readRecord = read(record, JobRecord.class);

        assertThat(readSnapshot.startTime()).isNull();
        assertThat(readSnapshot.timezone()).isEqualTo("UTC");
        assertThat(readResult.error()).isNull();
        assertThat(readResult.results().get(0).parserType()).isNull();
        assertThat(readResult.results().get(0).jobId()).isNull();
        assertThat(readRecord.error()).isNull();
        assertThat(readRecord.resultsRef()).isNull();
        assertThat(read(deadLetter, DeliveryDeadLetter.class).lastStatusCode()).isNull();
    }

    @Test
    void shouldOmitAbsentOptionalFieldsWhenWriting() {
        ObjectNode record = Golden.tree("job_record.json");
        record.remove(List.of("error", "results_ref"));

        JsonNode written = Golden.tree(EventJson.write(read(record, JobRecord.class)));

        assertThat(written).isEqualTo(record);
    }

    @Test
    void shouldReadTheByteRangeOfAResultsPackWhenTheRefHasAnOffset() {
        JobRecord packed = EventJson.read(Golden.bytes("job_record_packed.json"), JobRecord.class);
        JobRecord whole = EventJson.read(Golden.bytes("job_record.json"), JobRecord.class);

        assertThat(packed.resultsRef().offset()).isEqualTo(1462L);
        assertThat(packed.resultsRef().httpRange()).isEqualTo("bytes=1462-2192");
        assertThat(whole.resultsRef().offset()).isNull();
        assertThat(whole.resultsRef().httpRange()).isNull();
        // a whole object's ref is written without the field, as before packs existed
        assertThat(Golden.tree(EventJson.write(whole)).get("results_ref").has("offset"))
                .isFalse();
    }

    @Test
    void shouldRejectJobResultWhenBothOrNeitherResultsFormArePresent() {
        Instant now = Instant.parse("2026-11-29T16:00:00Z");
        ResultsRef ref = new ResultsRef("b", "k", 1, "application/json", "00");
        ObjectNode neither = Golden.tree("job_result.json");
        neither.remove("results");

        assertThatThrownBy(() -> JobResult.of(
                        JOB_ID,
                        SCHEDULE_ID,
                        RUN_ID,
                        "alice",
                        now,
                        0,
                        null,
                        200,
                        JobStatus.DONE,
                        null,
                        "oxylabs",
                        1,
                        now,
                        now,
                        List.of(),
                        ref))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> read(neither, JobResult.class)).isInstanceOf(EventSerializationException.class);
    }

    static Stream<Arguments> enumWireNames() {
        return Stream.of(
                Arguments.of(CatchUp.FIRE_ONCE, "fire_once"), Arguments.of(CatchUp.SKIP, "skip"),
                Arguments.of(Overlap.ALLOW, "allow"), Arguments.of(Overlap.SKIP, "skip"),
                Arguments.of(JobStatus.DONE, "done"), Arguments.of(JobStatus.FAULTED, "faulted"),
                Arguments.of(DeliveryKind.CALLBACK, "callback"), Arguments.of(DeliveryKind.S3, "s3"),
                Arguments.of(DeliveryKind.GCS, "gcs"), Arguments.of(DeliveryKind.RESULTS_STORE, "results_store"));
    }

    @ParameterizedTest(name = "[{index}] {0} <-> {1}")
    @MethodSource("enumWireNames")
    void shouldUseLowerCaseWireNameWhenWritingEnums(Enum<?> value, String wireName) {
        byte[] json = EventJson.write(value);

        assertThat(new String(json)).isEqualTo("\"" + wireName + "\"");
        assertThat(EventJson.read(json, value.getDeclaringClass())).isEqualTo(value);
    }

    private static <T> T read(ObjectNode json, Class<T> type) {
        return EventJson.read(EventJson.write(json), type);
    }
}
