package io.godwit.examples.kv;

import io.godwit.qmp.MigrationReplies;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.godwit.api.MigrationHandle;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The service's HTTP endpoints:
 * <ul>
 * <li>{@code GET /kv/KEY}: 200 with the value and {@code X-Version}, or 404;
 *     {@code PUT /kv/KEY}: stores the body (at most 192 bytes), 200 with the new version.
 *     While the node is stopped for a switchover they wait; once the state has moved they get
 *     307 with the destination's URL in {@code Location}.</li>
 * <li>{@code GET /health}: role, serving state, run state, keys.</li>
 * <li>{@code GET /digest}: SHA-256 of the table's region now, and on a destination started with a
 *     snapshot, of the table as it went live (exact while writes go on).</li>
 * <li>{@code POST /admin/migrate?uri=URI&redirect=URL[&downtime-limit=MS][&max-bandwidth=BYTES]},
 *     {@code GET /admin/migration} (query-migrate's figures), {@code POST /admin/cancel}.</li>
 * </ul>
 */
final class KvHttp {
    static final ObjectMapper JSON = new ObjectMapper();
    /** How long a request waits for a stopped or not yet live node before it gets 503. */
    static final Duration ADMISSION_WAIT = Duration.ofSeconds(30);

    private final KvService service;

    KvHttp(KvService service) {
        this.service = service;
    }

    void install(HttpServer http) {
        http.createContext("/kv/", ex -> handle(ex, this::kv));
        http.createContext("/health", ex -> handle(ex, this::health));
        http.createContext("/digest", ex -> handle(ex, this::digest));
        http.createContext("/admin/", ex -> handle(ex, this::admin));
    }

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange ex) throws Exception;
    }

    private static void handle(HttpExchange ex, Handler h) throws IOException {
        try (ex) { // closed after the catch clauses have answered
            try {
                h.handle(ex);
            } catch (IllegalArgumentException e) {
                text(ex, 400, e.getMessage());
            } catch (IllegalStateException e) {
                text(ex, 409, e.getMessage());
            } catch (Exception e) {
                text(ex, 500, e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ /kv

    private void kv(HttpExchange ex) throws IOException, InterruptedException {
        String key = ex.getRequestURI().getPath().substring("/kv/".length());
        byte[] k = KvTable.utf8(key);
        if (k.length == 0 || k.length > KvTable.MAX_KEY) {
            text(ex, 400, "key of " + k.length + " bytes; expected 1 to " + KvTable.MAX_KEY);
            return;
        }
        boolean put = ex.getRequestMethod().equals("PUT");
        if (!put && !ex.getRequestMethod().equals("GET")) {
            text(ex, 405, "GET or PUT");
            return;
        }
        byte[] value = put ? body(ex.getRequestBody(), KvTable.MAX_VALUE) : null;
        if (put && value == null) {
            text(ex, 413, "a value has at most " + KvTable.MAX_VALUE + " bytes");
            return;
        }
        switch (service.gate().enter(ADMISSION_WAIT)) {
            case ServeGate.Redirect r when r.to() != null -> {
                ex.getResponseHeaders().set("Location", r.to().resolve(ex.getRequestURI().getRawPath()).toString());
                text(ex, 307, "moved to " + r.to());
            }
            case ServeGate.Redirect _ -> text(ex, 503, "the table has moved; nobody said where");
            case ServeGate.Unavailable u -> text(ex, 503, u.why());
            case ServeGate.Admitted _ -> {
                try {
                    if (put) {
                        store(ex, k, value);
                    } else {
                        load(ex, k);
                    }
                } finally {
                    service.gate().exit();
                }
            }
        }
    }

    private void store(HttpExchange ex, byte[] key, byte[] value) throws IOException {
        long version;
        try {
            version = service.table().put(key, value);
        } catch (KvTable.TableFullException e) {
            text(ex, 507, e.getMessage());
            return;
        }
        service.meta().puts.incrementAndGet();
        ex.getResponseHeaders().set("X-Version", Long.toString(version));
        text(ex, 200, Long.toString(version));
    }

    private void load(HttpExchange ex, byte[] key) throws IOException {
        KvTable.Entry e = service.table().get(key);
        service.meta().gets.incrementAndGet();
        if (e == null) {
            text(ex, 404, "no such key");
            return;
        }
        ex.getResponseHeaders().set("X-Version", Long.toString(e.version()));
        send(ex, 200, "application/octet-stream", e.value());
    }

    /** The body, or null when it is longer than {@code max} bytes. */
    private static byte[] body(InputStream in, int max) throws IOException {
        byte[] b = in.readNBytes(max + 1);
        return b.length > max ? null : b;
    }

    // ------------------------------------------------------- status, admin

    private void health(HttpExchange ex) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", service.name());
        m.put("serving", service.gate().state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("node", service.node().state().qmpName);
        m.put("tracking", service.region().tracking());
        m.put("keys", service.table().formatted() ? service.table().entries() : 0);
        m.put("puts", service.meta().puts.get());
        m.put("gets", service.meta().gets.get());
        json(ex, 200, m);
    }

    private void digest(HttpExchange ex) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", service.node().state().qmpName);
        m.put("digest", KvTable.sha256(service.node().region(KvService.REGION).segment()));
        String live = service.table().snapshotSha256();
        if (live != null) {
            m.put("live-digest", live);
            m.put("pages-written-since-live", service.table().snapshotPagesCopied());
        }
        json(ex, 200, m);
    }

    private void admin(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        boolean post = ex.getRequestMethod().equals("POST");
        switch (path) {
            case "/admin/migrate" -> {
                requirePost(post);
                Map<String, String> q = query(ex.getRequestURI());
                String uri = require(q, "uri");
                URI redirect = q.containsKey("redirect") ? URI.create(q.get("redirect")) : null;
                for (String p : new String[] {"downtime-limit", "max-bandwidth"}) {
                    if (q.containsKey(p)) {
                        service.node().setParameter(p, Long.parseLong(q.get(p)));
                    }
                }
                MigrationHandle h = service.migrate(uri, redirect);
                json(ex, 202, MigrationReplies.of(h.info()));
            }
            case "/admin/migration" -> {
                MigrationHandle h = service.node().currentMigration();
                json(ex, 200, h != null ? MigrationReplies.of(h.info()) : Map.of("status", "none"));
            }
            case "/admin/cancel" -> {
                requirePost(post);
                MigrationHandle h = service.node().currentMigration();
                json(ex, 200, Map.of("cancelled", h != null && h.cancel()));
            }
            default -> text(ex, 404, "no such endpoint: " + path);
        }
    }

    private static void requirePost(boolean post) {
        if (!post) {
            throw new IllegalArgumentException("use POST");
        }
    }

    private static String require(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("missing query parameter '" + name + "'");
        }
        return v;
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> m = new LinkedHashMap<>();
        String q = uri.getRawQuery();
        if (q != null) {
            for (String part : q.split("&")) {
                int eq = part.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                m.put(k, eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return m;
    }

    // -------------------------------------------------------------- replies

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void text(HttpExchange ex, int status, String body) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", (body == null ? "" : body).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
