package dev.recur.jobrunner.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ByteBudgetTest {

    @Test
    void shouldRefuseBeyondTheOwnersShareButGrantAnotherOwnerWithinTheTotal() {
        ByteBudget budget = new ByteBudget(100, 60);
        var big = budget.allowance("big");
        var other = budget.allowance("other");
        List<String> woken = new ArrayList<>();

        assertThat(big.tryReserve(50, () -> woken.add("first"))).isTrue();
        assertThat(big.tryReserve(20, () -> woken.add("big"))).isFalse();
        assertThat(other.tryReserve(40, () -> woken.add("other"))).isTrue();
        assertThat(budget.held()).isEqualTo(90);
        assertThat(budget.heldBy("big")).isEqualTo(50);

        big.release(30);
        assertThat(woken).containsExactly("big");
        assertThat(big.tryReserve(20, () -> woken.add("big again"))).isTrue();
    }

    @Test
    void shouldRefuseBeyondTheTotalAndWakeTheWaiterWhenAnotherOwnerGivesBytesBack() {
        ByteBudget budget = new ByteBudget(100, 80);
        var a = budget.allowance("a");
        var b = budget.allowance("b");
        List<String> woken = new ArrayList<>();
        assertThat(a.tryReserve(70, () -> {})).isTrue();
        Runnable wake = () -> woken.add("b");
        assertThat(b.tryReserve(40, wake)).isFalse();

        a.releaseAll();

        assertThat(woken).containsExactly("b");
        assertThat(b.tryReserve(40, wake)).isTrue();
        assertThat(budget.held()).isEqualTo(40);
    }

    @Test
    void shouldGiveBackWhatAJobStillHoldsAndForgetItsWaitWhenItEnds() {
        ByteBudget budget = new ByteBudget(100, 100);
        var job = budget.allowance("a");
        var other = budget.allowance("a");
        List<String> woken = new ArrayList<>();
        assertThat(job.tryReserve(60, () -> {})).isTrue();
        assertThat(other.tryReserve(60, () -> woken.add("other"))).isFalse();

        other.releaseAll();
        job.releaseAll();

        assertThat(budget.held()).isZero();
        assertThat(woken).isEmpty();
    }

    @Test
    void shouldNotGiveBackTwiceWhatAJobsEndAlreadyGaveBack() {
        ByteBudget budget = new ByteBudget(100, 100);
        var job = budget.allowance("a");
        var other = budget.allowance("a");
        assertThat(job.tryReserve(60, () -> {})).isTrue();
        assertThat(other.tryReserve(30, () -> {})).isTrue();

        job.releaseAll();
        job.release(60);

        assertThat(budget.held()).isEqualTo(30);
        assertThat(job.tryReserve(10, () -> {}))
                .as("a reservation after the job ended")
                .isFalse();
        assertThat(budget.held()).isEqualTo(30);
    }
}
