package dev.recur.testinfra.gcs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a JDK of a minimum version for a child process: the build itself runs on Java 17, the Firebase CLI
 * wants 21 or newer for its rules runtime. {@code -Drecur.gcs.java-home} (or {@code RECUR_GCS_JAVA_HOME}) wins;
 * otherwise this JVM if new enough, otherwise the newest one under {@code /usr/lib/jvm} whose folder name
 * carries its version ({@code temurin-25-jdk-amd64}, {@code java-21-openjdk-amd64}).
 */
final class JavaHomes {

    private static final Path JVM_DIR = Path.of("/usr/lib/jvm");
    private static final Pattern FEATURE_VERSION = Pattern.compile("(?:^|-)(\\d{1,2})(?:-|$)");

    private JavaHomes() {}

    static Path atLeast(int feature) {
        String configured = System.getProperty("recur.gcs.java-home", System.getenv("RECUR_GCS_JAVA_HOME"));
        if (configured != null && !configured.isBlank()) {
            Path home = Path.of(configured);
            if (!hasJava(home)) {
                throw new IllegalStateException(
                        "recur.gcs.java-home / RECUR_GCS_JAVA_HOME = " + home + " has no bin/java");
            }
            return home;
        }
        if (Runtime.version().feature() >= feature) {
            return Path.of(System.getProperty("java.home"));
        }
        List<Path> installed = installed();
        return installed.stream()
                .filter(home -> featureOf(home).orElse(0) >= feature && hasJava(home))
                .max(Comparator.comparingInt(home -> featureOf(home).orElse(0)))
                .orElseThrow(() -> new IllegalStateException("the GCS emulator (firebase-tools " + FirebaseTools.VERSION
                        + ") needs a Java " + feature + " or newer JDK for itself, and this JVM is Java "
                        + Runtime.version().feature() + "; none found in " + JVM_DIR + " (it holds " + installed
                        + "). Install one (e.g. a temurin-25-jdk) or point -Drecur.gcs.java-home at one"));
    }

    private static List<Path> installed() {
        if (!Files.isDirectory(JVM_DIR)) {
            return List.of();
        }
        try (Stream<Path> homes = Files.list(JVM_DIR)) {
            return homes.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Integer> featureOf(Path home) {
        Matcher m = FEATURE_VERSION.matcher(home.getFileName().toString());
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    private static boolean hasJava(Path home) {
        return Files.isExecutable(home.resolve("bin/java"));
    }
}
