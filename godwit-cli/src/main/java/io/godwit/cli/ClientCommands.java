package io.godwit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.qmp.QmpClient;
import io.godwit.qmp.QmpError;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Commands that drive a running godwit (or QEMU) over QMP, so nobody has to type JSON. */
final class ClientCommands {
    private ClientCommands() {}

    /** What every client command needs: the QMP address. */
    abstract static class Base implements Callable<Integer> {
        @Option(names = "--qmp", required = true, description = "QMP socket: unix:PATH or tcp:HOST:PORT.")
        String qmp;

        @Override
        public Integer call() throws Exception {
            try (QmpClient c = QmpClient.connect(qmp)) {
                return run(c);
            } catch (QmpError e) {
                System.err.println("godwit: " + e.errorClass() + ": " + e.getMessage());
                return 1;
            }
        }

        abstract int run(QmpClient c) throws Exception;
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Start a migration of the machine at --qmp to URI.")
    static final class Migrate extends Base {
        @Parameters(index = "0", description = "Destination: tcp:HOST:PORT, unix:PATH, file:PATH or exec:CMD.")
        String uri;

        @Option(names = "--set", description = "Parameter NAME=VALUE before migrating (repeatable).")
        List<String> set = new ArrayList<>();

        @Option(names = "--cap", description = "Capability NAME or NAME=on|off before migrating (repeatable).")
        List<String> caps = new ArrayList<>();

        @Option(names = "--wait", description = "Wait for the end, showing progress; exit 0 only if completed.")
        boolean wait;

        @Override
        int run(QmpClient c) throws Exception {
            applySettings(c, set, caps);
            c.execute("migrate", Map.of("uri", uri));
            if (!wait) {
                System.err.println("migration started; follow it with: godwit query --qmp " + qmp);
                return 0;
            }
            JsonNode last = follow(c, System.err);
            System.out.println(Json.write(last));
            return last.path("status").asText().equals("completed") ? 0 : 1;
        }
    }

    /**
     * Prints the migration's progress until it ends (see {@link ProgressLine}). With the events
     * capability on, every MIGRATION_PASS event gets a line of its own, so the passes show one by
     * one however short they are; between events, and without them, query-migrate is polled.
     */
    static JsonNode follow(QmpClient c, PrintStream err) throws IOException, InterruptedException {
        ProgressLine line = new ProgressLine(err, ProgressLine.terminal());
        long lastTransferred = -1;
        long lastNanos = 0;
        long pass = 0;
        try {
            while (true) {
                JsonNode event = c.awaitEvent("MIGRATION_PASS", java.time.Duration.ofMillis(250));
                JsonNode m = c.execute("query-migrate");
                String status = m.path("status").asText();
                if (isTerminal(status)) {
                    return m;
                }
                JsonNode ram = m.path("ram");
                long transferred = ram.path("transferred").asLong(0);
                long next = event != null ? event.path("data").path("pass").asLong()
                        : Math.max(pass, ram.path("dirty-sync-count").asLong(0));
                long now = System.nanoTime();
                if (ram.isObject() && (transferred > lastTransferred || next != pass)) {
                    double mbps = ram.path("mbps").asDouble(0); // the link's rate over its last window
                    double rate = mbps > 0 ? mbps * 1e6 / 8 : lastTransferred < 0 || now == lastNanos ? 0
                            : Math.max(0, transferred - lastTransferred) / ((now - lastNanos) / 1e9);
                    pass = Math.max(pass, next);
                    line.print(pass, transferred, ram.path("remaining").asLong(), rate,
                            ram.path("dirty-pages-rate").asLong() * (double) ram.path("page-size").asLong(4096),
                            m.has("expected-downtime") ? m.path("expected-downtime").asLong() : -1);
                    lastTransferred = transferred;
                    lastNanos = now;
                }
            }
        } finally {
            line.end();
        }
    }

    static boolean isTerminal(String status) {
        return status.equals("completed") || status.equals("failed") || status.equals("cancelled");
    }

    static void applySettings(QmpClient c, List<String> params, List<String> caps) throws IOException {
        if (!caps.isEmpty()) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (String cap : caps) {
                int eq = cap.indexOf('=');
                String name = eq < 0 ? cap : cap.substring(0, eq);
                String v = eq < 0 ? "on" : cap.substring(eq + 1);
                if (!v.equals("on") && !v.equals("off")) {
                    throw new IllegalArgumentException("capability " + cap + ": expected NAME=on or NAME=off");
                }
                list.add(Map.of("capability", name, "state", v.equals("on")));
            }
            c.execute("migrate-set-capabilities", Map.of("capabilities", list));
        }
        if (!params.isEmpty()) {
            Map<String, Object> args = new LinkedHashMap<>();
            for (String p : params) {
                int eq = p.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("parameter " + p + ": expected NAME=VALUE");
                }
                String name = p.substring(0, eq);
                String value = p.substring(eq + 1);
                Object v = name.startsWith("tls-") ? value // tls-creds, tls-hostname, tls-authz are strings
                        : value.equals("true") || value.equals("false") ? (Object) Boolean.parseBoolean(value)
                        : name.contains("bandwidth") || name.equals("xbzrle-cache-size") ? Sizes.parse(value)
                        : (Object) Long.parseLong(value);
                args.put(name, v);
            }
            c.execute("migrate-set-parameters", args);
        }
    }

    @Command(name = "query", mixinStandardHelpOptions = true,
            description = "Print migrate (default), status, parameters, capabilities, digest or ab as JSON.")
    static final class Query extends Base {
        @Parameters(index = "0", defaultValue = "migrate", description = "What to query (default: ${DEFAULT-VALUE}).")
        String what;

        @Override
        int run(QmpClient c) throws Exception {
            String cmd = switch (what) {
                case "migrate" -> "query-migrate";
                case "status" -> "query-status";
                case "parameters" -> "query-migrate-parameters";
                case "capabilities" -> "query-migrate-capabilities";
                case "digest" -> "x-query-digest";
                case "ab" -> "x-check-ab";
                default -> throw new IllegalArgumentException("cannot query '" + what
                        + "': expected migrate, status, parameters, capabilities, digest or ab");
            };
            System.out.println(Json.write(c.execute(cmd)));
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel the outgoing migration.")
    static final class Cancel extends Base {
        @Override
        int run(QmpClient c) throws Exception {
            c.execute("migrate_cancel");
            return 0;
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            description = "Set migration parameters (NAME=VALUE) and capabilities (--cap NAME=on|off).")
    static final class Set extends Base {
        @Parameters(arity = "0..*", description = "Parameters, e.g. downtime-limit=500 max-bandwidth=1G.")
        List<String> params = new ArrayList<>();

        @Option(names = "--cap", description = "Capability NAME or NAME=on|off (repeatable).")
        List<String> caps = new ArrayList<>();

        @Override
        int run(QmpClient c) throws Exception {
            if (params.isEmpty() && caps.isEmpty()) {
                throw new IllegalArgumentException("nothing to set: give NAME=VALUE parameters or --cap options");
            }
            applySettings(c, params, caps);
            return 0;
        }
    }

    @Command(name = "qmp", mixinStandardHelpOptions = true,
            description = "Send one raw QMP command: a JSON object, or a command name and optional JSON arguments.")
    static final class Raw extends Base {
        @Parameters(index = "0", description = "A JSON object, or a command name.")
        String command;

        @Parameters(index = "1", arity = "0..1", description = "JSON arguments when a name is given.")
        String arguments;

        @Override
        int run(QmpClient c) throws Exception {
            String line = command.strip().startsWith("{") ? command
                    : "{\"execute\": " + Json.MAPPER.writeValueAsString(command)
                            + (arguments != null ? ", \"arguments\": " + arguments : "") + "}";
            JsonNode reply = c.send(line);
            System.out.println(Json.write(reply));
            return reply.has("error") ? 1 : 0;
        }
    }
}
