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
     * @param snapshotAtLive copy the table when it goes live, so its digest can be compared with the
     *     source's later while clients write (costs one memory copy inside the downtime)
     * @param region how the region is made (its tracker)
     */
    public record Config(String name, InetSocketAddress http, String incoming, long size, String qmp,
            boolean snapshotAtLive, RegionOptions region) {
        public static Config source(String name, long size) {
            return new Config(name, new InetSocketAddress("127.0.0.1", 0), null, size, null, false,
                    RegionOptions.defaults());
        }

        public Config withIncoming(String uri) {
            return new Config(name, http, uri, size, qmp, snapshotAtLive, region);
        }

        public Config withSnapshotAtLive(boolean on) {
            return new Config(name, http, incoming, size, qmp, on, region);
        }

        public Config withHttp(InetSocketAddress a) {
            return new Config(name, a, incoming, size, qmp, snapshotAtLive, region);
        }

        public Config withQmp(String address) {
            return new Config(name, http, incoming, size, address, snapshotAtLive, region);
        }

        public Config withRegion(RegionOptions o) {
            return new Config(name, http, incoming, size, qmp, snapshotAtLive, o);
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
    private volatile MemorySegment snapshot;
    private volatile long snapshotNanos;
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
            node.start();
        } else {
            incomingAddress = node.listen(config.incoming()).target();
        }
        http = HttpServer.create(config.http(), 128);
        http.setExecutor(executor);
        new KvHttp(this).install(http);
        http.start();
        log.printf("%s: serving http://%s, table of %d buckets in %d bytes (%s tracking), %s%n", config.name(),
                hostPort(http.getAddress()), table.buckets(), region.size(), region.tracking(),
                incomingAddress != null ? "waiting for its state on " + incomingAddress : "running");
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
    MigrationHandle migrate(String uri, URI redirect) {
        MigrationHandle h = node.migrateTo(uri);
        redirectTo = redirect;
        log.printf("%s: migrating to %s (clients will be sent to %s)%n", config.name(), uri, redirect);
        return h;
    }

    /** The table as it was when this destination went live, or null (no snapshot asked, or not live yet). */
    MemorySegment snapshotAtLive() {
        return snapshot;
    }

    long snapshotMillis() {
        return snapshotNanos / 1_000_000;
    }

    /** What the node tells the service, and what the service does then. */
    private final class Lifecycle implements NodeListener {
        @Override
        public void stopped() {
            gate.stop(); // returns once no request is using the table: the region is stable
        }

        @Override
        public void resumed() {
            gate.serve();
        }

        @Override
        public void live() {
            if (config.snapshotAtLive()) {
                long t0 = System.nanoTime();
                MemorySegment copy = snapshotArena.allocate(region.size(), 4096);
                MemorySegment.copy(region.segment(), 0, copy, 0, region.size());
                snapshotNanos = System.nanoTime() - t0;
                snapshot = copy;
            }
            gate.serve();
        }

        @Override
        public void finished(MigrationInfo info) {
            MigrationHandle h = node.currentMigration();
            boolean incoming = h != null && h.direction() == MigrationHandle.Direction.INCOMING;
            log.printf("%s: %s migration %s%s%n", config.name(), incoming ? "incoming" : "outgoing",
                    info.status().qmpName, info.errorDesc() != null ? ": " + info.errorDesc() : "");
            if (!incoming && info.status() == MigrationStatus.COMPLETED) {
                gate.moved(redirectTo);
            } else if (incoming && info.status() != MigrationStatus.COMPLETED && !closing) {
                listenAgain();
            }
        }
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
        snapshot = null;
        snapshotArena.close();
    }
}
