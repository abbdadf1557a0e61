package dev.recur.testinfra;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A server in a JVM of its own, started through {@link Watchdog} so that it dies with its parent. */
public final class ChildJvm {

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static ChildJvm start(
            String name,
            List<String> classpath,
            List<String> jvmOptions,
            String mainClass,
            List<String> args,
            Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        List<String> cp = new ArrayList<>(classpath);
        cp.add(ownCodeLocation());
        command.add("-cp");
        command.add(String.join(File.pathSeparator, cp));
        command.add(Watchdog.class.getName());
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            return new ChildJvm(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** Fails with the end of the child's log if it has died. */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    name + " exited with " + process.exitValue() + "; end of " + log + ":\n" + tail(log, 40));
        }
    }

    /** SIGTERM, then SIGKILL after the grace period. */
    public void stop(long graceSeconds) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL at once: a crash, for fault-injection tests. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The jar or classes folder this class was loaded from, so that the child can run {@link Watchdog}. */
    private static String ownCodeLocation() {
        try {
            return Path.of(Watchdog.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The classpath the build wrote for a child (see test-infra/pom.xml). */
    public static List<String> classpathResource(String name) {
        try (var in = ChildJvm.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + ": build test-infra with Maven");
            }
            String text = new String(in.readAllBytes()).trim();
            return List.of(text.split(File.pathSeparator));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
