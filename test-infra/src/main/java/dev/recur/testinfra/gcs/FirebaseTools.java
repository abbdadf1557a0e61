package dev.recur.testinfra.gcs;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.recur.testinfra.ChildJvm;
import dev.recur.testinfra.Infra;

/**
 * npm {@code firebase-tools} at a pinned version, installed once per machine into a cache outside any build
 * folder ({@code ~/.cache/recur/firebase-tools-<version>}; {@code -Drecur.cache.dir} or {@code RECUR_CACHE_DIR}
 * moves it): the install takes minutes, a clean build must not repeat it. Concurrent test JVMs (several modules
 * build at once) wait for one another through a file lock, and an install becomes visible only complete (it is
 * renamed into place), so an interrupted one is redone.
 */
final class FirebaseTools {

    static final String VERSION = "15.34.2";

    private static final long INSTALL_TIMEOUT_MINUTES = 20;

    private FirebaseTools() {}

    /** The CLI's entry script, installing firebase-tools first if needed. */
    static synchronized Path installed() {
        Path home = cacheDir().resolve("firebase-tools-" + VERSION);
        Path cli = cli(home);
        if (Files.isRegularFile(cli)) {
            return cli;
        }
        try {
            Files.createDirectories(home.getParent());
            try (FileChannel lockFile = FileChannel.open(
                            home.resolveSibling(home.getFileName() + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                if (!Files.isRegularFile(cli)) {
                    install(home);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install firebase-tools into " + home, e);
        }
        return cli;
    }

    /** The {@code node} on the PATH, which runs the CLI. */
    static Path node() {
        return onPath("node").orElseThrow(() -> new IllegalStateException(missingNode("node")));
    }

    private static void install(Path home) throws IOException {
        Path npm = onPath("npm").orElseThrow(() -> new IllegalStateException(missingNode("npm")));
        Path staging = home.resolveSibling(home.getFileName() + ".installing");
        Infra.deleteRecursively(staging);
        Files.createDirectories(staging);
        Path log = home.resolveSibling(home.getFileName() + ".install.log");
        long start = System.nanoTime();
        GcsEmulator.log("installing firebase-tools " + VERSION + " with npm into " + home
                + " (once per machine; takes minutes; log: " + log + ")");
        // --omit=optional: re2, optional and only for the hosting emulator, is otherwise compiled from C++ when its
        // prebuilt binary cannot be downloaded (as here): many CPU minutes
        Process process = new ProcessBuilder(List.of(
                        npm.toString(),
                        "install",
                        "--prefix",
                        staging.toString(),
                        "--omit=optional",
                        "--no-audit",
                        "--no-fund",
                        "--no-update-notifier",
                        "firebase-tools@" + VERSION))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        process.getOutputStream().close();
        try {
            if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("npm install of firebase-tools " + VERSION + " did not finish in "
                        + INSTALL_TIMEOUT_MINUTES + " min; end of " + log + ":\n" + ChildJvm.tail(log, 40));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing firebase-tools", e);
        }
        if (process.exitValue() != 0 || !Files.isRegularFile(cli(staging))) {
            throw new IllegalStateException("npm install of firebase-tools " + VERSION + " failed (exit "
                    + process.exitValue() + "); end of " + log + ":\n" + ChildJvm.tail(log, 40));
        }
        Infra.deleteRecursively(home);
        Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
        GcsEmulator.log(String.format(
                Locale.ROOT, "installed firebase-tools %s in %.1f s", VERSION, (System.nanoTime() - start) / 1e9));
    }

    private static Path cli(Path home) {
        return home.resolve("node_modules/firebase-tools/lib/bin/firebase.js");
    }

    private static Path cacheDir() {
        String configured = System.getProperty("recur.cache.dir", System.getenv("RECUR_CACHE_DIR"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("recur");
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.of(path.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static String missingNode(String program) {
        return "the GCS emulator needs Node.js (node and npm, version 20 or newer) on the PATH, but '" + program
                + "' is not on it (PATH=" + System.getenv("PATH")
                + "); install Node.js, e.g. apt-get install nodejs npm";
    }
}
