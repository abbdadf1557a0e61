package dev.recur.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class RetryInPlaceTest {

    @Test
    void shouldRunAgainWithDoublingCappedWaitsWhenActionFailsThenSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        List<Duration> waits = new ArrayList<>();

        RetryInPlace.untilDone(
                () -> {
                    if (calls.incrementAndGet() < 5) {
                        throw new IllegalStateException("database away");
                    }
                },
                Duration.ofMillis(1),
                Duration.ofMillis(4),
                () -> false,
                (e, wait) -> waits.add(wait));

        assertThat(calls).hasValue(5);
        assertThat(waits)
                .containsExactly(
                        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(4), Duration.ofMillis(4));
    }

    @Test
    void shouldRethrowWithoutWaitingWhenStopping() {
        List<Duration> waits = new ArrayList<>();

        assertThatThrownBy(() -> RetryInPlace.untilDone(
                        () -> {
                            throw new IllegalStateException("shutting down");
                        },
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(10),
                        () -> true,
                        (e, wait) -> waits.add(wait)))
                .hasMessage("shutting down");
        assertThat(waits).isEmpty();
    }
}
