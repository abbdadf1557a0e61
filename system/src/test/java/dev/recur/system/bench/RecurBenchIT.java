package dev.recur.system.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code ./recur-bench} at a small size in the default build: the whole system started as the bench starts it, one
 * measured minute of 20 schedules x 5 items, every job called back exactly once with its S3 object written. Runs in
 * a failsafe execution of its own (tag system-bench), after the shared system of the other end-to-end classes.
 */
@Tag("e2e")
@Tag("system-bench")
class RecurBenchIT {

    @Test
    void shouldDeliverEveryJobOfTheMeasuredMinuteExactlyOnce() throws Exception {
        Path repo = Path.of(System.getProperty("recur.repo.dir", ".."))
                .toAbsolutePath()
                .normalize();
        Path data = Path.of("target", "bench-data").toAbsolutePath();
        Path json = Path.of("target", "bench-result.json").toAbsolutePath();
        BenchOptions options = BenchOptions.parse(
                repo,
                "--schedules",
                "20",
                "--items",
                "5",
                "--users",
                "4",
                "--warmup",
                "0",
                "--minutes",
                "1",
                "--drain",
                "90",
                "--data",
                data.toString(),
                "--json",
                json.toString());

        BenchResult result = new RecurBench(options, repo).run();

        assertThat(result.problems()).isEmpty();
        assertThat(result.exact()).isTrue();
        assertThat(result.overall().done()).isEqualTo(100);
        assertThat(result.overall().duplicates()).isZero();
        assertThat(result.cpuMillisPerJob())
                .containsKeys(
                        "schedule-api",
                        "ticker",
                        "job-runner",
                        "delivery",
                        "kafka",
                        "postgres",
                        "s3proxy",
                        "stub",
                        "harness");
        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.path("exact").asBoolean()).isTrue();
        assertThat(written.path("overall").path("done").asInt()).isEqualTo(100);
    }
}
