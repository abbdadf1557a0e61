package dev.recur.jobrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.recur.common.event.DueRun;
import org.junit.jupiter.api.Test;

class FairDispatcherTest {

    private static List<JobTask> tasks(String owner, int count) {
        var items = Collections.nCopies(count, DueRunItems.item("{\"source\": \"google\"}"));
        DueRun run = DueRun.of(1, 2, owner, Instant.EPOCH, Instant.EPOCH, false, 0, 1, 0, count, items, Instant.EPOCH);
        SliceWork slice = new SliceWork(run, 0, 0, done -> {});
        List<JobTask> tasks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tasks.add(new JobTask(slice, i, i, items.get(i), "google"));
        }
        return tasks;
    }

    @Test
    void shouldServeNewOwnerNextWhenAnotherOwnerHasManyQueued() {
        FairDispatcher dispatcher = new FairDispatcher(100, 100);
        tasks("big", 5_000).forEach(dispatcher::add);
        dispatcher.add(tasks("small", 1).get(0));

        JobTask first = dispatcher.tryTake();
        JobTask second = dispatcher.tryTake();

        assertThat(first.owner()).isEqualTo("big");
        assertThat(second.owner()).isEqualTo("small");
        assertThat(dispatcher.inFlight()).isEqualTo(2);
    }

    @Test
    void shouldAlternateOwnersWhenBothHaveWork() {
        FairDispatcher dispatcher = new FairDispatcher(100, 100);
        tasks("a", 3).forEach(dispatcher::add);
        tasks("b", 3).forEach(dispatcher::add);

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(dispatcher.tryTake().owner());
        }

        assertThat(order).containsExactly("a", "b", "a", "b", "a", "b");
    }

    @Test
    void shouldHoldOwnerBackAtItsCapUntilOneOfItsJobsIsDone() {
        FairDispatcher dispatcher = new FairDispatcher(100, 2);
        tasks("big", 10).forEach(dispatcher::add);
        JobTask one = dispatcher.tryTake();
        dispatcher.tryTake();
        tasks("small", 1).forEach(dispatcher::add);

        assertThat(dispatcher.tryTake().owner()).isEqualTo("small");
        dispatcher.done(one);
        assertThat(dispatcher.tryTake().owner()).isEqualTo("big");
    }
}
