package dev.recur.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The repository the tests check: paths, and what each service's configuration reads from the environment. */
final class Repo {

    static final List<String> SERVICES = List.of("schedule-api", "ticker", "job-runner", "delivery");
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");
    private static final Pattern HTTP_PORT = Pattern.compile("(?m)^quarkus\\.http\\.port=\\$\\{HTTP_PORT:(\\d+)}");
    private static final Pattern MANAGEMENT_PORT =
            Pattern.compile("(?m)^quarkus\\.management\\.port=\\$\\{MANAGEMENT_PORT:(\\d+)}");

    private Repo() {}

    static Path dir() {
        return Path.of(System.getProperty("recur.repo.dir", ".."))
                .toAbsolutePath()
                .normalize();
    }

    static String applicationProperties(String service) {
        return read(dir().resolve(service).resolve("src/main/resources/application.properties"));
    }

    /**
     * The environment variables a service's configuration reads, e.g. {@code ${DB_URL:...}}: its application.properties
     * and common's META-INF/microprofile-config.properties, which every service has on its class path (settings all
     * services share, such as the results bucket).
     */
    static java.util.Set<String> environmentVariablesReadBy(String service) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        Matcher m = ENV_REFERENCE.matcher(applicationProperties(service) + "\n"
                + read(dir().resolve("common/src/main/resources/META-INF/microprofile-config.properties")));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static int defaultHttpPort(String service) {
        Matcher m = HTTP_PORT.matcher(applicationProperties(service));
        if (!m.find()) {
            throw new AssertionError(service + ": quarkus.http.port=${HTTP_PORT:<port>} not found");
        }
        return Integer.parseInt(m.group(1));
    }

    /** The port of the service's management interface (health, metrics) unless {@code MANAGEMENT_PORT} is set. */
    static int defaultManagementPort(String service) {
        String properties = applicationProperties(service);
        if (!properties.contains("\nquarkus.management.enabled=true\n")) {
            throw new AssertionError(service + ": quarkus.management.enabled=true not found");
        }
        Matcher m = MANAGEMENT_PORT.matcher(properties);
        if (!m.find()) {
            throw new AssertionError(service + ": quarkus.management.port=${MANAGEMENT_PORT:<port>} not found");
        }
        return Integer.parseInt(m.group(1));
    }

    static Map<String, Integer> defaultHttpPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        SERVICES.forEach(s -> ports.put(s, defaultHttpPort(s)));
        return ports;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
