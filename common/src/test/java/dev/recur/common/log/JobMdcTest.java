package dev.recur.common.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.jboss.logging.MDC;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JobMdcTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void shouldHoldTheJobsIdsInsideTheScopeAndNothingAfterIt() {
        try (JobMdc scope = JobMdc.of(42, 9001, 7001, "alice")) {
            assertThat(MDC.getMap())
                    .containsEntry("schedule_id", "42")
                    .containsEntry("run_id", "9001")
                    .containsEntry("job_id", "7001")
                    .containsEntry("owner", "alice");
        }
        assertThat(MDC.getMap()).doesNotContainKeys("schedule_id", "run_id", "job_id", "owner");
    }

    @Test
    void shouldRestoreAnOuterJobsIdsWhenANestedScopeCloses() {
        try (JobMdc outer = JobMdc.of(1, 2, 3, "bob")) {
            try (JobMdc inner = JobMdc.of(4, 5, 6, null)) {
                assertThat(MDC.get("job_id")).isEqualTo("6");
                assertThat(MDC.get("owner")).isEqualTo("bob");
            }
            assertThat(MDC.get("job_id")).isEqualTo("3");
            assertThat(MDC.get("schedule_id")).isEqualTo("1");
        }
        assertThat(MDC.getMap()).isEmpty();
    }
}
