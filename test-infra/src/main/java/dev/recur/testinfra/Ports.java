package dev.recur.testinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Free loopback ports and waiting for a server to listen. */
public final class Ports {

    private Ports() {}

    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void awaitListening(int port, Duration timeout, Runnable whileWaiting) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isListening(port)) {
            whileWaiting.run();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("nothing listens on port " + port + " after " + timeout);
            }
            sleep(50);
        }
    }

    /** Sleeps for {@code duration}; an interrupt ends it early, keeps the flag set and throws. */
    public static void sleep(Duration duration) {
        sleep(duration.toMillis());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
