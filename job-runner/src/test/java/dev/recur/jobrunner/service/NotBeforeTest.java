package dev.recur.jobrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class NotBeforeTest {

    private static final Instant NOT_BEFORE = Instant.parse("2026-12-07T05:44:08.738850302Z");

    @Test
    void shouldWaitAWholeMillisecondForLessThanOneLeft() {
        // 149 µs early: a wait of 0 ms would start the job before not_before
        assertThat(JobRunner.millisUntil(NOT_BEFORE.minusNanos(148_361), NOT_BEFORE))
                .isEqualTo(1);
    }

    @Test
    void shouldRoundAPartialMillisecondUp() {
        assertThat(JobRunner.millisUntil(NOT_BEFORE.minusMillis(1_999).minusNanos(1), NOT_BEFORE))
                .isEqualTo(2_000);
    }

    @Test
    void shouldNotWaitAtOrAfterNotBefore() {
        assertThat(JobRunner.millisUntil(NOT_BEFORE, NOT_BEFORE)).isZero();
        assertThat(JobRunner.millisUntil(NOT_BEFORE.plusNanos(1), NOT_BEFORE)).isZero();
    }
}
