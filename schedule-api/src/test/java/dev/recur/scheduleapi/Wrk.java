package dev.recur.scheduleapi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's second load generator: {@code wrk} (C, one epoll loop per thread), the generator the issue
 * names. It costs less CPU per request than the Java generator, and on two shared cores that CPU is taken
 * from the service and PostgreSQL. wrk is taken from {@code -Dbench.wrk=<path>}, else from the PATH, else from
 * the Debian packages {@code wrk} and {@code libluajit2-5.1-2}, downloaded with {@code apt-get download} and
 * unpacked with {@code dpkg -x} into {@code target/wrk} (no root, nothing installed on the machine).
 */
final class Wrk {

    /**
     * One finished wrk run (its errors: non-2xx answers and socket errors); {@code generatorMs} is the CPU time
     * wrk used (user + system).
     */
    record Result(LoadGenerator.Result result, double generatorMs) {}

    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in ([0-9.]+)(us|ms|s|m)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PERCENTILE =
            Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    // bash's "times": the shell's user and system time, then its children's (wrk)
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s\\s*$");

    private final Path binary;
    private final Path libraries;

    private Wrk(Path binary, Path libraries) {
        this.binary = binary;
        this.libraries = libraries;
    }

    /** wrk, or empty (with the reason printed) when it is neither installed nor downloadable. */
    static Optional<Wrk> find() {
        String configured = System.getProperty("bench.wrk");
        if (configured != null) {
            return Optional.of(new Wrk(Path.of(configured), null));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, "wrk");
            if (Files.isExecutable(candidate)) {
                return Optional.of(new Wrk(candidate, null));
            }
        }
        Path root = Path.of("target", "wrk").toAbsolutePath();
        Path binary = root.resolve("usr/bin/wrk");
        Path libraries = root.resolve("usr/lib/x86_64-linux-gnu");
        try {
            if (!Files.isExecutable(binary)) {
                Files.createDirectories(root);
                run(root, List.of("apt-get", "download", "wrk", "libluajit2-5.1-2"));
                try (var debs = Files.list(root)) {
                    for (Path deb :
                            debs.filter(p -> p.toString().endsWith(".deb")).toList()) {
                        run(root, List.of("dpkg", "-x", deb.toString(), root.toString()));
                    }
                }
            }
            Wrk wrk = new Wrk(binary, libraries);
            wrk.process(List.of(binary.toString(), "--version")).waitFor(10, TimeUnit.SECONDS);
            return Optional.of(wrk);
        } catch (IOException | InterruptedException | IllegalStateException e) {
            System.out.println("wrk not available, its phases are skipped: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static void run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output.strip());
        }
    }

    /** Starts {@code argv} (wrk, or a shell that runs it) with wrk's libraries on the library path. */
    private Process process(List<String> argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        if (libraries != null) {
            pb.environment().put("LD_LIBRARY_PATH", libraries.toString());
        }
        return pb.start();
    }

    /**
     * Runs wrk with one thread (one event loop, like the Java generator) and {@code connections} connections for
     * {@code duration}; {@code requests} are sent in turn, each connection starting at its own place in the list.
     */
    Result run(String name, int port, int connections, Duration duration, List<Request> requests) throws Exception {
        Path script = Files.createTempFile("recur-wrk", ".lua");
        StringBuilder lua = new StringBuilder("local requests = {}\nlocal n = 0\ninit = function(args)\n");
        for (Request r : requests) {
            lua.append("  n = n + 1\n  requests[n] = wrk.format(")
                    .append(quote(r.method()))
                    .append(", ")
                    .append(quote(r.path()))
                    .append(", {[\"Authorization\"] = ")
                    .append(quote(r.authorization()))
                    .append(r.body() == null ? "" : ", [\"Content-Type\"] = \"application/json\"")
                    .append("}, ")
                    .append(r.body() == null ? "nil" : quote(r.body()))
                    .append(")\n");
        }
        lua.append("end\nlocal i = 0\nrequest = function()\n  i = i % n + 1\n  return requests[i]\nend\n");
        Files.writeString(script, lua);
        try {
            List<String> shell =
                    new ArrayList<>(List.of("bash", "-c", "\"$@\"; status=$?; times; exit $status", "wrk"));
            shell.add(binary.toString());
            shell.addAll(List.of(
                    "-t1",
                    "-c" + connections,
                    "-d" + duration.toSeconds() + "s",
                    "--latency",
                    "--timeout",
                    "10s",
                    "-s",
                    script.toString(),
                    "http://127.0.0.1:" + port));
            Process p = process(shell);
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("wrk failed: " + output);
            }
            return parse(name, connections, output);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    static Result parse(String name, int connections, String output) {
        Matcher requests = REQUESTS.matcher(output);
        Matcher times = TIMES.matcher(output.strip());
        if (!requests.find() || !times.find()) {
            throw new IllegalStateException("unexpected wrk output: " + output);
        }
        long count = Long.parseLong(requests.group(1));
        double seconds = micros(requests.group(2), requests.group(3)) / 1e6;
        long p50 = 0;
        long p99 = 0;
        Matcher percentile = PERCENTILE.matcher(output);
        while (percentile.find()) {
            long value = (long) micros(percentile.group(2), percentile.group(3));
            if (percentile.group(1).equals("50")) {
                p50 = value;
            } else {
                p99 = value;
            }
        }
        Matcher non2xx = NON_2XX.matcher(output);
        long errors = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        double cpuMs = (Long.parseLong(times.group(1)) * 60
                        + Double.parseDouble(times.group(2))
                        + Long.parseLong(times.group(3)) * 60
                        + Double.parseDouble(times.group(4)))
                * 1000;
        return new Result(new LoadGenerator.Result(name, connections, count, errors, seconds, p50, p99), cpuMs);
    }

    private static double micros(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> v;
            case "ms" -> v * 1e3;
            case "s" -> v * 1e6;
            case "m" -> v * 60e6;
            default -> throw new IllegalArgumentException(unit);
        };
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** One request of the list wrk cycles through; {@code body} null for a GET. */
    record Request(String method, String path, String authorization, String body) {}
}
