package dev.recur.common.retry;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * Runs an action again, with exponential backoff, until it goes through. For message consumers whose failure
 * must not reach the connector (SmallRye fails the channel for good) while a dependency such as the database
 * is away for a while: the record is simply taken again, and idempotent writes make the repeat harmless.
 */
public final class RetryInPlace {

    private RetryInPlace() {}

    /**
     * @param action what to run; a {@link RuntimeException} from it is a failure to retry
     * @param first the wait after the first failure; each next wait is twice the last, at most {@code max}
     * @param stopping when true after a failure, the failure is rethrown instead (the application is shutting down)
     * @param onFailure sees each failure and the wait that follows it (for the log)
     */
    public static void untilDone(
            Runnable action,
            Duration first,
            Duration max,
            BooleanSupplier stopping,
            BiConsumer<RuntimeException, Duration> onFailure) {
        Backoff backoff = Backoff.doubling(first, max);
        for (int retry = 1; ; retry++) {
            try {
                action.run();
                return;
            } catch (RuntimeException e) {
                if (stopping.getAsBoolean()) {
                    throw e;
                }
                Duration wait = backoff.delay(retry, RandomGenerator.getDefault());
                onFailure.accept(e, wait);
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
