package dev.recur.delivery.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class JobResultConsumerGroupsTest {

    @Test
    void shouldReadABatchOfLargeClaimChecksInGroupsOfAtMostTheBytesInFlight() {
        List<Long> claimBytes = List.of(60L, 60L, 0L, 150L, 10L, 0L);

        List<List<Long>> groups = JobResultConsumer.groups(claimBytes, Long::longValue, 128);

        assertThat(groups).containsExactly(List.of(60L, 60L, 0L), List.of(150L), List.of(10L, 0L));
    }
}
