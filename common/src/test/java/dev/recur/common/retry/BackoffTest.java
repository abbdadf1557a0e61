package dev.recur.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final RandomGenerator NO_SHARE = () -> 0L;
    private static final RandomGenerator ALL_SHARE = new RandomGenerator() {
        @Override
        public long nextLong() {
            return -1L;
        }

        @Override
        public double nextDouble() {
            return Math.nextDown(1.0);
        }
    };

    private final Backoff backoff = new Backoff(Duration.ofSeconds(30), Duration.ofHours(2), 0.5);

    @Test
    void shouldDoubleFromInitialUpToTheCap() {
        assertThat(backoff.delay(1, NO_SHARE)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(2, NO_SHARE)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.delay(5, NO_SHARE)).isEqualTo(Duration.ofSeconds(480));
        assertThat(backoff.delay(9, NO_SHARE)).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void shouldStayAtTheCapWithoutOverflowForAnyRetryNumber() {
        for (int retry : new int[] {30, 62, 63, 64, 500, Integer.MAX_VALUE}) {
            assertThat(backoff.delay(retry, NO_SHARE)).as("retry %d", retry).isEqualTo(Duration.ofHours(2));
        }
    }

    @Test
    void shouldTakeAtMostTheJitterShareAway() {
        assertThat(backoff.delay(1, ALL_SHARE)).isBetween(Duration.ofSeconds(15), Duration.ofMillis(15_001));
        Random seeded = new Random(42);
        for (int retry = 1; retry <= 12; retry++) {
            long base = Math.min(30_000L << (retry - 1), Duration.ofHours(2).toMillis());
            for (int i = 0; i < 50; i++) {
                assertThat(backoff.delay(retry, seeded).toMillis()).isBetween(base / 2, base);
            }
        }
    }

    @Test
    void shouldWaitExactlyTheBaseWithoutJitter() {
        Backoff doubling = Backoff.doubling(Duration.ofMillis(100), Duration.ofSeconds(5));
        assertThat(doubling.delay(1, ALL_SHARE)).isEqualTo(Duration.ofMillis(100));
        assertThat(doubling.delay(4, ALL_SHARE)).isEqualTo(Duration.ofMillis(800));
        assertThat(doubling.delay(7, ALL_SHARE)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void shouldRefuseASettingThatCannotBeABackoff() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(1), 0.5))
                .hasMessageContaining("initial <= max");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), 1.5))
                .hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), Double.NaN))
                .hasMessageContaining("between 0 and 1");
    }
}
