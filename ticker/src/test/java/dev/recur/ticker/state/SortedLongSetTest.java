package dev.recur.ticker.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

class SortedLongSetTest {

    @Test
    void shouldBehaveLikeATreeSetWhenOperationsAreRandom() {
        Random random = new Random(11);
        for (int round = 0; round < 20; round++) {
            // narrow ranges make duplicates and removals of present values frequent, wide ones splits
            long range = round % 2 == 0 ? 3_000 : Long.MAX_VALUE;
            SortedLongSet set = new SortedLongSet();
            TreeSet<Long> model = new TreeSet<>();
            for (int op = 0; op < 30_000; op++) {
                int kind = random.nextInt(10);
                long value = range == Long.MAX_VALUE ? random.nextLong() : random.nextLong(range) - range / 2;
                if (kind < 5) {
                    assertThat(set.add(value)).isEqualTo(model.add(value));
                } else if (kind < 8) {
                    long present = model.isEmpty() || random.nextBoolean()
                            ? value
                            : model.ceiling(value) == null ? model.first() : model.ceiling(value);
                    assertThat(set.remove(present)).isEqualTo(model.remove(present));
                } else if (!model.isEmpty()) {
                    assertThat(set.pollFirst()).isEqualTo(model.pollFirst());
                }
                assertThat(set.size()).isEqualTo(model.size());
            }
            assertThat(contents(set)).containsExactlyElementsOf(model);
        }
    }

    @Test
    void shouldKeepOrderWhenTicksTakeFromTheFrontAndPutAtTheBack() {
        SortedLongSet set = new SortedLongSet();
        TreeSet<Long> model = new TreeSet<>();
        for (long id = 1; id <= 5_000; id++) {
            set.add(id * 3);
            model.add(id * 3);
        }
        Random random = new Random(5);
        for (int tick = 0; tick < 200; tick++) {
            for (int i = 0; i < 20 && !model.isEmpty(); i++) {
                assertThat(set.pollFirst()).isEqualTo(model.pollFirst());
            }
            for (int i = 0; i < 20; i++) {
                long id = model.isEmpty() ? 1 : model.last() + 1 + random.nextInt(3);
                assertThat(set.add(id)).isEqualTo(model.add(id));
            }
            // an update in the middle: out and back in
            long some = random.nextLong(model.last());
            assertThat(set.remove(some)).isEqualTo(model.remove(some));
            assertThat(set.add(some - 1)).isEqualTo(model.add(some - 1));
        }
        assertThat(contents(set)).containsExactlyElementsOf(model);
        while (!model.isEmpty()) {
            assertThat(set.pollFirst()).isEqualTo(model.pollFirst());
        }
        assertThat(set.isEmpty()).isTrue();
    }

    private static List<Long> contents(SortedLongSet set) {
        List<Long> values = new ArrayList<>();
        set.forEach(values::add);
        return values;
    }
}
