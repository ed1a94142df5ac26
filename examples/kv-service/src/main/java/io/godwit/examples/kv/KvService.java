package io.godwit.examples.kv;

import com.sun.net.httpserver.HttpServer;
import io.godwit.api.MigrationHandle;
import io.godwit.api.Node;
import io.godwit.api.NodeListener;
import io.godwit.api.Region;
import io.godwit.api.RegionOptions;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationStatus;
import io.godwit.qmp.QmpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The key-value service: a {@link KvTable} in a region of an embedded {@link Node}, served over
 * HTTP (see {@link KvHttp}). Started as a source it formats an empty table and serves; started
 * with an incoming URI it waits for a source's table and serves once live. Either can then migrate
 * on when asked on {@code POST /admin/migrate}.
 */
public final class KvService implements AutoCloseable {
    /** The region's name: the same on both sides. */
    public static final String REGION = "kv.table";

    /**
     * @param name for messages and the node
     * @param http where to serve HTTP (port 0: any free port)
     * @param incoming null for a source; else the URI to wait on for the table
     * @param size the region's size in bytes, equal on both sides
     * @param qmp null, or where to serve the node's monitor over QMP ({@code unix:PATH}, {@code tcp:HOST:PORT})
     * @param snapshotAtLive keep the table as it went live (pages are copied aside before their
     *     first write, see {@link PageSnapshot}), so its digest can be compared with the source's
     *     later while clients write
     * @param region how the region is made (its tracking: auto by default)
     * @param prefill a source writes this many keys ("fill-N", 100-byte values) before it serves,
     *     so the table has data to move (keys whose bucket is full are skipped)
     */
    public record Config(String name, InetSocketAddress http, String incoming, long size, String qmp,
            boolean snapshotAtLive, RegionOptions region, long prefill) {
        public static Config source(String name, long size) {
            return new Config(name, new InetSocketAddress("127.0.0.1", 0), null, size, null, false,
                    RegionOptions.defaults(), 0);
        }

        public Config withPrefill(long keys) {
            return new Config(name, http, incoming, size, qmp, snapshotAtLive, region, keys);
        }

        public Config withIncoming(String uri) {
            return new Config(name, http, uri, size, qmp, snapshotAtLive, region, prefill);
        }

        public Config withSnapshotAtLive(boolean on) {
            return new Config(name, http, incoming, size, qmp, on, region, prefill);
        }

        public Config withHttp(InetSocketAddress a) {
            return new Config(name, a, incoming, size, qmp, snapshotAtLive, region, prefill);
        }

        public Config withQmp(String address) {
            return new Config(name, http, incoming, size, address, snapshotAtLive, region, prefill);
        }

        public Config withRegion(RegionOptions o) {
            return new Config(name, http, incoming, size, qmp, snapshotAtLive, o, prefill);
        }
    }

    private final Config config;
    private final PrintStream log;
    private final Node node;
    private final Region region;
    private final KvTable table;
    private final KvMetaHandler meta;
    private final ServeGate gate;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Arena snapshotArena = Arena.ofShared();
    private HttpServer http;
    private QmpServer qmp;
    private volatile URI redirectTo;
    private volatile String incomingAddress;
    private volatile MemorySegment snapshotBuffer;
    private volatile boolean closing;

    private KvService(Config config, PrintStream log) {
        this.config = config;
        this.log = log;
        this.node = Node.create(config.name());
        this.region = node.addRegion(REGION, config.size(), config.region());
        this.table = new KvTable(region);
        this.meta = new KvMetaHandler(table.buckets());
        node.register(KvMetaHandler.IDSTR, 0, KvMetaHandler.VERSION, meta);
        this.gate = new ServeGate(config.incoming() == null ? ServeGate.State.SERVING : ServeGate.State.INCOMING);
        node.addListener(new Lifecycle());
    }

    /** Starts the service: HTTP, QMP if asked, and the node as source or destination. */
    public static KvService start(Config config, PrintStream log) throws IOException {
        KvService s = new KvService(config, log);
        try {
            s.open();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void open() throws IOException {
        if (config.qmp() != null) {
            qmp = new QmpServer(() -> {}).listen(config.qmp(), node.monitor());
            node.addEventSink(qmp::emit);
        }
        if (config.incoming() == null) {
            table.format();
            prefill(config.prefill());
            node.start();
        } else {
            if (config.snapshotAtLive()) {
                // Allocated and written now: a first write to a page can cost microseconds, which
                // would otherwise land on the clients' first writes.
                snapshotBuffer = snapshotArena.allocate(region.size(), 4096).fill((byte) 1);
            }
            incomingAddress = node.listen(config.incoming()).target();
        }
        http = HttpServer.create(config.http(), 128);
        http.setExecutor(executor);
        new KvHttp(this).install(http);
        http.start();
        log.printf("%s: serving http://%s, table of %d buckets in %d bytes, dirty tracking %s, %s%n", config.name(),
                hostPort(http.getAddress()), table.buckets(), region.size(), region.trackingDescription(),
                incomingAddress != null ? "waiting for its state on " + incomingAddress : "running");
    }

    /** Fills the table with content, leaving a quarter of every bucket free for the clients' keys. */
    private void prefill(long keys) {
        byte[] value = KvTable.utf8("x".repeat(100));
        for (long i = 0; i < keys; i++) {
            byte[] key = KvTable.utf8("fill-" + i);
            if (table.freeSlots(key) > KvTable.SLOTS_PER_BUCKET / 4) {
                table.put(key, value);
            }
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    /** The HTTP base URI, e.g. http://127.0.0.1:8080. */
    public URI httpUri() {
        return URI.create("http://" + hostPort(http.getAddress()));
    }

    /** Where a destination waits for its state (the port chosen for tcp port 0), or null for a source. */
    public String incomingAddress() {
        return incomingAddress;
    }

    public Node node() {
        return node;
    }

    /** Where QMP is served, or null. */
    public String qmpAddress() {
        return qmp != null ? qmp.address() : null;
    }

    Region region() {
        return region;
    }

    KvTable table() {
        return table;
    }

    KvMetaHandler meta() {
        return meta;
    }

    ServeGate gate() {
        return gate;
    }

    String name() {
        return config.name();
    }

    /** Starts migrating this service to {@code uri}; requests are sent to {@code redirect} once it completed. */
    synchronized MigrationHandle migrate(String uri, URI redirect) {
        URI before = redirectTo;
        redirectTo = redirect; // before the start: a fast migration may complete at once
        MigrationHandle h;
        try {
            h = node.migrateTo(uri);
        } catch (RuntimeException e) {
            redirectTo = before;
            throw e;
        }
        log.printf("%s: migrating to %s (clients will be sent to %s)%n", config.name(), uri, redirect);
        return h;
    }

    /** What the node tells the service, and what the service does then. */
    private final class Lifecycle implements NodeListener {
        private volatile long stoppedAt;
        private volatile long quiescedAt;
        private volatile long liveAt;
        private volatile long movedAt;

        @Override
        public void stopped() {
            stoppedAt = System.currentTimeMillis();
            gate.stop(); // returns once no request is using the table: the region is stable
            quiescedAt = System.currentTimeMillis();
        }

        @Override
        public void resumed() {
            gate.serve();
        }

        @Override
        public void live() {
            if (snapshotBuffer != null) {
                table.startSnapshot(snapshotBuffer); // no request runs yet: the loaded state
            }
            gate.serve();
            liveAt = System.currentTimeMillis();
        }

        /**
         * A source's migration is completed once the destination runs: send the waiting requests
         * there now, on the migration thread, rather than once the migration's thread has ended.
         */
        @Override
        public void progress(MigrationInfo info) {
            MigrationHandle h = node.currentMigration();
            if (info.status() == MigrationStatus.COMPLETED && h != null
                    && h.direction() == MigrationHandle.Direction.OUTGOING) {
                gate.moved(redirectTo);
                movedAt = System.currentTimeMillis();
            }
        }

        @Override
        public void finished(MigrationInfo info) {
            if (stoppedAt > 0) {
                log.printf("%s: stopped at %s, requests quiesced in %d ms%n", config.name(), clock(stoppedAt),
                        quiescedAt - stoppedAt);
            }
            if (liveAt > 0) {
                log.printf("%s: live at %s%n", config.name(), clock(liveAt));
            }
            MigrationHandle h = node.currentMigration();
            boolean incoming = h != null && h.direction() == MigrationHandle.Direction.INCOMING;
            log.printf("%s: %s migration %s%s%n", config.name(), incoming ? "incoming" : "outgoing",
                    info.status().qmpName, info.errorDesc() != null ? ": " + info.errorDesc() : "");
            if (!incoming && info.status() == MigrationStatus.COMPLETED) {
                log.printf("%s: sending requests to %s since %s%n", config.name(), redirectTo, clock(movedAt));
            } else if (incoming && info.status() != MigrationStatus.COMPLETED && !closing) {
                listenAgain();
            }
        }
    }

    private static String clock(long epochMillis) {
        return java.time.LocalTime.ofInstant(java.time.Instant.ofEpochMilli(epochMillis), java.time.ZoneId.systemDefault())
                .toString();
    }

    private void listenAgain() {
        try {
            incomingAddress = node.listen(incomingAddress).target();
            log.printf("%s: waiting again for its state on %s%n", config.name(), incomingAddress);
        } catch (IOException | IllegalStateException e) {
            log.printf("%s: cannot wait again for a source: %s%n", config.name(), e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (http != null) {
            http.stop(0);
        }
        if (qmp != null) {
            qmp.close();
        }
        node.close();
        executor.shutdownNow();
        snapshotArena.close();
    }
}
