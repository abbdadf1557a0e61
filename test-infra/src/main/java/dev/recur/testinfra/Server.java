package dev.recur.testinfra;

/** A server of the test infrastructure. */
public interface Server extends AutoCloseable {

    /** Starts (again, after {@link #stop()}) and waits until it serves requests. */
    void start();

    /** Stops it; its data stays, so {@link #start()} brings the same server back. */
    void stop();

    @Override
    default void close() {
        stop();
    }
}
