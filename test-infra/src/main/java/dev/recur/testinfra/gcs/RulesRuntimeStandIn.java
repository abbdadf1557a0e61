package dev.recur.testinfra.gcs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for Google's Cloud Storage rules runtime jar, which the Firebase Storage emulator downloads at its
 * first start from a host this network cannot reach. It speaks the runtime's protocol (one JSON object per line
 * on stdin and stdout) and permits every request: Recur's GCS client authenticates with a service account in
 * production, where security rules do not apply either. Only the JDK on its classpath: {@link GcsEmulator}
 * packs this one class into the jar the emulator runs.
 */
public final class RulesRuntimeStandIn {

    /** The request objects are {@code JSON.stringify({action, context, id})}: the action comes first. */
    private static final Pattern ACTION = Pattern.compile("^\\{\"action\":\"([a-z_]+)\"");

    private static final Pattern ID = Pattern.compile("\"id\":(-?\\d+)");

    private RulesRuntimeStandIn() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("{\"id\":-1,\"status\":\"ok\"}");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String response = respond(line);
            if (response != null) {
                out.println(response);
            }
        }
        // end of stdin: the emulator is gone, so is this runtime
    }

    static String respond(String request) {
        Matcher action = ACTION.matcher(request);
        // the id is the last key; nested string values have their quotes escaped and cannot match
        Matcher id = ID.matcher(request);
        String lastId = null;
        while (id.find()) {
            lastId = id.group(1);
        }
        if (lastId == null) {
            return null;
        }
        String result =
                action.find() && action.group(1).equals("load_ruleset") ? "{\"rulesVersion\":2}" : "{\"permit\":true}";
        return "{\"id\":" + lastId + ",\"status\":\"ok\",\"errors\":[],\"warnings\":[],\"result\":" + result + "}";
    }
}
