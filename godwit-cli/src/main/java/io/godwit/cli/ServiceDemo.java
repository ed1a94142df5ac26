package io.godwit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.examples.kv.KvMain;
import io.godwit.examples.kv.LoadGenerator;
import io.godwit.launch.ChildJvm;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * {@code godwit demo --service}: the example key-value service (examples/kv-service) as a source
 * and a destination process, clients in this JVM reading and writing it over HTTP, a live
 * migration asked on the source's control endpoint, the clients following the switch, and the
 * verification: no errors, no stale reads, and the table the destination went live with equal to
 * the table the source stopped with.
 */
final class ServiceDemo {
    static final int KEYS_PER_CLIENT = 256;
    static final int VALUE_SIZE = 100;
    private static final Duration STARTUP = Duration.ofMinutes(2);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final long size;
    private final int clients;
    private final String transport;
    private final String tracking;
    private final long downtimeLimitMs;
    private final long maxBandwidth;
    private final long timeoutSeconds;
    private final PrintStream log;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    ServiceDemo(long size, int clients, String transport, String tracking, long downtimeLimitMs, long maxBandwidth,
            long timeoutSeconds, PrintStream log) {
        if (clients < 1) {
            throw new IllegalArgumentException("--clients must be at least 1");
        }
        this.size = size;
        this.clients = clients;
        this.transport = transport;
        this.tracking = tracking;
        this.downtimeLimitMs = downtimeLimitMs;
        this.maxBandwidth = maxBandwidth;
        this.timeoutSeconds = timeoutSeconds;
        this.log = log;
    }

    Map<String, Object> run() throws Exception {
        Path dir = Files.createTempDirectory("godwit-service-demo-");
        String incoming = transport.equals("tcp") ? "tcp:127.0.0.1:0" : "unix:" + dir.resolve("migration.sock");
        long prefill = size / 4096 * 8; // up to half the slots: the migration has data to move
        log.printf("starting a destination and a source kv-service (%s table, %d keys prefilled; logs in %s)%n",
                Sizes.format(size), prefill, dir);
        try (ChildJvm dst = service(dir, "destination", List.of("--incoming", incoming, "--snapshot-at-live"));
                ChildJvm src = service(dir, "source", List.of("--prefill", String.valueOf(prefill)))) {
            URI srcHttp = URI.create(src.ready().get("http"));
            URI dstHttp = URI.create(dst.ready().get("http"));
            String migrateTo = dst.ready().get("incoming");
            try (LoadGenerator load = new LoadGenerator(srcHttp, clients, KEYS_PER_CLIENT, 0.5, VALUE_SIZE, 1)) {
                load.start();
                healthChecks(dstHttp);
                load.awaitMoreRequests(clients * 200L, WAIT);
                log.printf("source %s: %d clients reading and writing; migrating to %s (downtime-limit %d ms, "
                        + "max-bandwidth %s)%n", srcHttp, clients, migrateTo, downtimeLimitMs,
                        maxBandwidth == 0 ? "unlimited" : Sizes.format(maxBandwidth) + "/s");
                post(srcHttp.resolve("/admin/migrate?uri=" + enc(migrateTo) + "&redirect=" + enc(dstHttp.toString())
                        + "&downtime-limit=" + downtimeLimitMs + "&max-bandwidth=" + maxBandwidth));
                JsonNode end = follow(srcHttp);
                Map<String, Object> out = DemoCommand.summary(end);
                boolean completed = "completed".equals(out.get("status"));
                if (completed) {
                    awaitClientsAt(load, dstHttp);
                }
                load.stop();
                log.printf("clients stopped; each reads all its keys once more%n");
                load.verifyAllKeys();
                out.put("client", clientReport(load.report()));
                out.put("verification", verification(completed, srcHttp, dstHttp));
                out.put("tracking", get(srcHttp.resolve("/health")).path("tracking").asText());
                out.put("source", srcHttp.toString());
                out.put("destination", dstHttp.toString());
                return out;
            }
        }
    }

    /**
     * Asks the destination's /health a few times before the switch, as a load balancer checks a
     * new instance before it sends traffic there.
     */
    private void healthChecks(URI dst) throws IOException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            get(dst.resolve("/health"));
        }
    }

    private ChildJvm service(Path dir, String name, List<String> extra) throws IOException, InterruptedException {
        List<String> args = new java.util.ArrayList<>(List.of("--name", name, "--listen-http", "127.0.0.1:0",
                "--size", String.valueOf(size), "--tracking", tracking));
        args.addAll(extra);
        return ChildJvm.start(dir, name, KvMain.class.getName(), args, "READY", STARTUP);
    }

    /** Prints progress from the source's query-migrate until the end; cancels after the timeout. */
    private JsonNode follow(URI src) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        long lastTransferred = -1;
        boolean cancelled = false;
        while (true) {
            JsonNode m = get(src.resolve("/admin/migration"));
            String status = m.path("status").asText();
            if (ClientCommands.isTerminal(status)) {
                return m;
            }
            long transferred = m.path("ram").path("transferred").asLong(0);
            if (transferred > lastTransferred) {
                log.printf("%s | pass %d | transferred %s | remaining %s%n", status,
                        m.path("ram").path("dirty-sync-count").asLong(), Sizes.format(transferred),
                        Sizes.format(m.path("ram").path("remaining").asLong()));
                lastTransferred = transferred;
            }
            if (!cancelled && System.nanoTime() > deadline) {
                log.printf("not converged after %d s: cancelling%n", timeoutSeconds);
                post(src.resolve("/admin/cancel"));
                cancelled = true;
            }
            Thread.sleep(100);
        }
    }

    private void awaitClientsAt(LoadGenerator load, URI dst) throws InterruptedException {
        try {
            load.awaitAllAnsweredAt(dst, 50, WAIT);
            log.printf("every client follows the switch: 50 answers each from %s%n", dst);
        } catch (TimeoutException e) {
            log.printf("%s%n", e.getMessage()); // the report's counters say what went wrong
        }
    }

    private static Map<String, Object> clientReport(LoadGenerator.Report r) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("requests", r.requests());
        c.put("errors", r.errors());
        c.put("stale-reads", r.staleReads());
        c.put("max-pause-ms", r.maxPauseMs());
        c.put("switch-pause-ms", r.switchPauseMs());
        c.put("redirects", r.redirects());
        c.put("clients-moved", r.clientsMoved());
        c.put("error-samples", r.errorSamples());
        return c;
    }

    private Map<String, Object> verification(boolean completed, URI src, URI dst) throws IOException,
            InterruptedException {
        Map<String, Object> v = new LinkedHashMap<>();
        String srcDigest = null;
        String dstDigest = null;
        if (completed) {
            JsonNode s = get(src.resolve("/digest"));
            JsonNode d = get(dst.resolve("/digest"));
            srcDigest = s.path("node").asText().equals("postmigrate") ? s.path("digest").asText() : null;
            dstDigest = d.path("live-digest").asText(null);
            v.put("pages-written-since-live", d.path("pages-written-since-live").asLong());
        }
        v.put("digest", srcDigest != null && srcDigest.equals(dstDigest) ? "passed" : "failed");
        v.put("source-digest", srcDigest);
        v.put("destination-digest", dstDigest);
        return v;
    }

    private JsonNode get(URI uri) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    private JsonNode post(URI uri) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()));
    }

    private JsonNode send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpRequest req = b.timeout(WAIT).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(req.method() + " " + req.uri() + ": " + r.statusCode() + " " + r.body());
        }
        return Json.MAPPER.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static boolean passed(Map<String, Object> out) {
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) out.get("client");
        @SuppressWarnings("unchecked")
        Map<String, Object> v = (Map<String, Object>) out.get("verification");
        return "completed".equals(out.get("status")) && ((Number) c.get("errors")).longValue() == 0
                && ((Number) c.get("stale-reads")).longValue() == 0 && "passed".equals(v.get("digest"));
    }

    static void printText(PrintStream o, JsonNode s) {
        JsonNode c = s.path("client");
        JsonNode v = s.path("verification");
        DemoCommand.printOutcome(o, s);
        o.printf("  transferred:    %s (%d pages, %d zero pages)%n", Sizes.format(s.path("ram").path("transferred").asLong()),
                s.path("ram").path("normal").asLong(), s.path("ram").path("duplicate").asLong());
        o.printf("  dirty tracking: %s%n", s.path("tracking").asText());
        o.printf("clients%n");
        o.printf("  requests:       %d (errors %d, stale reads %d)%n", c.path("requests").asLong(),
                c.path("errors").asLong(), c.path("stale-reads").asLong());
        o.printf("  longest pause:  %d ms (between two answers to one client; %d ms across the switch)%n",
                c.path("max-pause-ms").asLong(), c.path("switch-pause-ms").asLong());
        o.printf("  moved:          %d clients followed the switch (%d redirects)%n", c.path("clients-moved").asLong(),
                c.path("redirects").asLong());
        for (JsonNode e : c.path("error-samples")) {
            o.printf("    %s%n", e.asText());
        }
        o.printf("verification%n");
        o.printf("  digest:         %s%n", v.path("digest").asText());
        if (!v.path("source-digest").isNull()) {
            o.printf("    source (stopped)     %s%n    destination (live)   %s%n", v.path("source-digest").asText(),
                    v.path("destination-digest").asText());
        }
    }
}
