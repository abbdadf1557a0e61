package dev.recur.testinfra;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of every child JVM the infrastructure starts: runs the real main class, and exits as soon as
 * the parent's end of stdin closes. A parent that dies, even by {@code kill -9}, so never leaves a broker
 * or S3 server behind.
 */
public final class Watchdog {

    private Watchdog() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: Watchdog <main class> [args...]");
        }
        Thread watcher = new Thread(Watchdog::exitWhenParentGoes, "recur-parent-watchdog");
        watcher.setDaemon(true);
        watcher.start();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }

    private static void exitWhenParentGoes() {
        try (InputStream in = System.in) {
            byte[] buffer = new byte[256];
            while (in.read(buffer) >= 0) {
                // the parent never writes; reading only waits for end of stream
            }
        } catch (IOException e) {
            // a broken pipe means the same as end of stream
        }
        System.exit(0);
    }
}
