package dev.recur.delivery.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class ResultsPackPlanTest {

    @Test
    void shouldPackSmallDocumentsInOrderAndStoreLargeOnesAlone() {
        int[] sizes = {100, 300_000, 200, 50};

        assertThat(ResultsStore.plan(sizes, 262_144, 8 << 20)).containsExactly(List.of(1), List.of(0, 2, 3));
    }

    @Test
    void shouldStartANewPackWhenTheNextDocumentAndItsNewlineWouldPassTheMaximum() {
        // 99 + 1 and 99 + 1 fill 200 bytes exactly; the third document starts the next pack
        int[] sizes = {99, 99, 99, 250};

        assertThat(ResultsStore.plan(sizes, 1_000, 200)).containsExactly(List.of(0, 1), List.of(2), List.of(3));
    }

    @Test
    void shouldStoreEveryDocumentAloneWhenPackingIsOff() {
        assertThat(ResultsStore.plan(new int[] {1, 2, 3}, 0, 8 << 20))
                .containsExactly(List.of(0), List.of(1), List.of(2));
    }
}
