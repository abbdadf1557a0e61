package dev.recur.system.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void shouldDefaultToThirtyThousandJobsAMinuteWithTheProductionJvmFlags() {
        BenchOptions options = BenchOptions.parse(Path.of("/repo"));

        assertThat(options.jobsPerMinute()).isEqualTo(30_000);
        assertThat(options.cron()).isEqualTo("* * * * *");
        assertThat(options.serviceJvmOptions()).doesNotContain("-XX:TieredStopAtLevel=1");
        assertThat(options.json()).isEqualTo(Path.of("/repo/.recur-bench/bench-result.json"));
    }

    @Test
    void shouldDocumentEveryOptionItParses() {
        for (String option : new String[] {
            "--schedules",
            "--items",
            "--cron",
            "--users",
            "--warmup",
            "--minutes",
            "--drain",
            "--data",
            "--json",
            "--jvm-options",
            "--help"
        }) {
            assertThat(BenchOptions.USAGE).contains(option);
        }
        assertThatThrownBy(() -> BenchOptions.parse(Path.of("/repo"), "--cron", "61 * * * *"))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> BenchOptions.parse(Path.of("/repo"), "--nope"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
