package dev.recur.jobrunner.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.recur.jobrunner.service.SliceWork;
import org.junit.jupiter.api.Test;

class PartitionProgressTest {

    private static void take(PartitionProgress progress, long offset) {
        progress.polled(offset);
        progress.opened(new SliceWork(null, 0, offset, slice -> {}));
    }

    @Test
    void shouldCommitFirstOpenOffsetAndListPublishedOnesAheadWhenSlicesFinishOutOfOrder() {
        PartitionProgress progress = new PartitionProgress(100, "");
        for (long offset = 100; offset <= 105; offset++) {
            take(progress, offset);
        }

        progress.published(101);
        progress.published(103);

        assertThat(progress.position()).isEqualTo(100);
        assertThat(progress.metadata()).isEqualTo("done:1,3");
        assertThat(progress.tracked()).isEqualTo(6);
    }

    @Test
    void shouldSkipOnlyPublishedRecordsWhenResumingFromCommittedMetadata() {
        PartitionProgress resumed = new PartitionProgress(100, "done:1,3");

        assertThat(resumed.alreadyDone(100)).isFalse();
        assertThat(resumed.alreadyDone(101)).isTrue();
        assertThat(resumed.alreadyDone(102)).isFalse();
        assertThat(resumed.alreadyDone(103)).isTrue();
        assertThat(resumed.metadata()).isEqualTo("done:1,3");
    }

    @Test
    void shouldMovePositionPastPublishedRecordsWhenTheFirstOpenSliceIsPublished() {
        PartitionProgress progress = new PartitionProgress(100, "");
        for (long offset = 100; offset <= 104; offset++) {
            take(progress, offset);
        }
        progress.published(101);
        progress.published(103);

        progress.published(100);

        assertThat(progress.position()).isEqualTo(102);
        assertThat(progress.metadata()).isEqualTo("done:1");
        progress.published(102);
        progress.published(104);
        assertThat(progress.position()).isEqualTo(105);
        assertThat(progress.metadata()).isEmpty();
        assertThat(progress.tracked()).isZero();
    }

    @Test
    void shouldEncodeLargeGapsCompactlyWhenOneSliceIsSlow() {
        PartitionProgress progress = new PartitionProgress(0, "");
        for (long offset = 0; offset <= 200; offset++) {
            take(progress, offset);
        }
        for (long offset = 1; offset <= 200; offset++) {
            progress.published(offset);
        }

        String metadata = progress.metadata();

        assertThat(progress.position()).isZero();
        assertThat(metadata.length()).isLessThan(4096);
        PartitionProgress resumed = new PartitionProgress(0, metadata);
        assertThat(resumed.alreadyDone(0)).isFalse();
        assertThat(resumed.alreadyDone(200)).isTrue();
    }
}
