package dev.recur.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * docs/operations.md promises every configuration key of every service. The keys are read from the services'
 * {@code @ConfigMapping} interfaces (source text: prefix, nested groups, methods in kebab-case), so a key added
 * to the code without a line in the docs fails here.
 */
class OperationsDocTest {

    private static final Pattern PREFIX = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)");
    private static final Pattern INTERFACE = Pattern.compile("^\\s*(?:public\\s+)?interface\\s+(\\w+)");
    private static final Pattern METHOD = Pattern.compile("^\\s*([\\w.<>, ?]+?)\\s+(\\w+)\\(\\);");

    @Test
    void shouldListEveryDeclaredConfigurationKeyWhenOperationsDocIsRead() {
        String doc = Repo.read(Repo.dir().resolve("docs/operations.md"));
        Set<String> keys = declaredKeys();
        assertThat(keys).as("keys found in the @ConfigMapping interfaces").hasSizeGreaterThan(60);
        assertThat(keys.stream().filter(key -> !doc.contains("`" + key + "`")).toList())
                .as("keys missing from docs/operations.md")
                .isEmpty();
    }

    /**
     * Each service's management port (health, metrics) is its HTTP port + 1000 by default, which the local run follows
     * too, and the page says where health and metrics are.
     */
    @Test
    void shouldDocumentTheManagementPortsTheServicesAndTheLocalRunUse() {
        String doc = Repo.read(Repo.dir().resolve("docs/operations.md"));
        StringBuilder defaults = new StringBuilder();
        for (String service : Repo.SERVICES) {
            assertThat(Repo.defaultManagementPort(service))
                    .as(service)
                    .isEqualTo(Repo.defaultHttpPort(service) + LocalRecur.MANAGEMENT_PORT_OFFSET);
            defaults.append(defaults.isEmpty() ? "" : " / ").append(Repo.defaultManagementPort(service));
        }
        assertThat(doc).contains("| `MANAGEMENT_PORT` | all |", defaults.toString(), "## Health and metrics");
    }

    @Test
    void shouldNameEveryNestedKeyWhenAGroupIsParsed() {
        Set<String> keys = declaredKeys();
        assertThat(keys)
                .contains(
                        "recur.ticker.catch-up-window",
                        "recur.job-runner.retry.max-attempts",
                        "recur.delivery.callback.signing-secret",
                        "recur.results.retention",
                        "recur.job-runner.sources.<source>");
    }

    private static Set<String> declaredKeys() {
        Set<String> keys = new TreeSet<>();
        for (String service : Repo.SERVICES) {
            try (Stream<Path> files = Files.walk(Repo.dir().resolve(service).resolve("src/main/java"))) {
                files.filter(f -> f.toString().endsWith(".java"))
                        .map(Repo::read)
                        .filter(source -> PREFIX.matcher(source).find())
                        .forEach(source -> keys.addAll(keysOf(source)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keys;
    }

    /** Keys of one mapping: group methods (returning a nested interface) extend the prefix of their group's methods. */
    static List<String> keysOf(String source) {
        Matcher prefix = PREFIX.matcher(source);
        prefix.find();
        Map<String, List<String[]>> methodsByInterface = new HashMap<>();
        Deque<String> open = new ArrayDeque<>();
        Deque<Integer> openDepth = new ArrayDeque<>();
        int depth = 0;
        String root = null;
        for (String line : source.split("\n")) {
            String code = line.replaceAll("//.*", "");
            Matcher i = INTERFACE.matcher(code);
            if (i.find()) {
                open.push(i.group(1));
                openDepth.push(depth);
                root = root == null ? i.group(1) : root;
            }
            Matcher m = METHOD.matcher(code);
            if (m.find() && !open.isEmpty() && !code.trim().startsWith("*") && !code.contains("static")) {
                methodsByInterface
                        .computeIfAbsent(open.peek(), k -> new java.util.ArrayList<>())
                        .add(new String[] {m.group(1).trim(), m.group(2)});
            }
            for (char c : code.toCharArray()) {
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }
            while (!openDepth.isEmpty() && depth <= openDepth.peek()) {
                open.pop();
                openDepth.pop();
            }
        }
        List<String> keys = new java.util.ArrayList<>();
        collect(prefix.group(1), root, methodsByInterface, keys);
        return keys;
    }

    private static void collect(String prefix, String type, Map<String, List<String[]>> methods, List<String> keys) {
        for (String[] method : methods.getOrDefault(type, List.of())) {
            String key = prefix + "." + kebab(method[1]);
            if (methods.containsKey(method[0])) {
                collect(key, method[0], methods, keys);
            } else if (method[0].startsWith("Map<")) {
                keys.add(key + ".<" + singular(kebab(method[1])) + ">");
            } else {
                keys.add(key);
            }
        }
    }

    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String singular(String name) {
        return name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
    }
}
