package io.godwit.api;

import io.godwit.clock.Clock;
import io.godwit.dirtyrate.DirtyRateConfig;
import io.godwit.dirtyrate.DirtyRateInfo;
import io.godwit.dirtyrate.DirtyRateMode;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationStatus;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.monitor.MonitorException;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.options.XbzrleParameters;
import io.godwit.ram.DirtyTracker;
import io.godwit.ram.DirtyTracking;
import io.godwit.savevm.HandlerRegistry;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.transport.MigrationUri;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A service's live state and the migrations that move it. Create one, add its state (regions,
 * handlers), then either {@link #start()} it and later {@link #migrateTo} another node, or
 * {@link #listen} for a source. State can only be added before start or listen.
 *
 * <pre>{@code
 * try (Node node = Node.create("cache")) {
 *     Region table = node.addRegion("cache.table", 64 << 20); // plain stores found by the kernel (or hashes)
 *     node.addListener(new NodeListener() {
 *         public void stopped() { writers.quiesce(); }   // before returning: no more stores
 *         public void resumed() { writers.release(); }
 *     });
 *     node.start();
 *     // ... the service writes table.segment() ...
 *     MigrationInfo r = node.migrateTo("tcp:10.0.0.2:4444").await(Duration.ofMinutes(5));
 * }
 * }</pre>
 *
 * <p>URIs are Godwit's: {@code tcp:HOST:PORT}, {@code unix:PATH}, {@code file:PATH},
 * {@code exec:COMMAND}. A node starts with capability {@code return-path} on, so a source learns
 * whether the destination loaded the state before it gives up its own; turn it off for
 * {@code file:} and {@code exec:}, which carry nothing back. The node's {@link #monitor()} is what
 * QMP serves, so a management client sees and drives the same migrations.
 *
 * <p>Thread-safe: every method may be called from any thread. Misuse is refused at once with
 * {@link IllegalStateException} (wrong moment) or {@link IllegalArgumentException} (bad value).
 * {@link #close()}, {@link #migrateTo} and {@link #listen} are refused inside the callbacks that
 * run on a migration's thread (see {@link NodeListener}).
 */
public final class Node implements AutoCloseable {
    private final Machine machine;
    private final Monitor monitor;
    private final Listeners listeners;
    private final List<MonitorEvents> eventSinks = new CopyOnWriteArrayList<>();
    private final List<Region> regions = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private boolean sealed; // guarded by lock: start() or listen() was called, no more state
    private volatile boolean closed;
    private final Handles handles;
    private volatile DirtyTracking.Mode defaultTracking = DirtyTracking.Mode.AUTO;

    private Node(String name) {
        machine = new Machine(name);
        listeners = new Listeners(name);
        monitor = new Monitor(machine, Clock.system(), (event, data) -> eventSinks.forEach(s -> s.emit(event, data)));
        monitor.setCapabilities(Map.of(Capability.RETURN_PATH, true));
        machine.onStateChange(listeners::runStateChanged);
        machine.onCpuThrottle(listeners::throttled);
        handles = new Handles(name, monitor, listeners, lock);
        monitor.addMigrationListener(handles.engineListener());
    }

    /** A new node with no state, not running. */
    public static Node create(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a node needs a name");
        }
        return new Node(name);
    }

    public String name() {
        return machine.name();
    }

    /**
     * The run state with QEMU's names: prelaunch (new), inmigrate (listening or loading), running,
     * paused, finish-migrate (stopped for switchover), postmigrate (state handed over), shutdown.
     */
    public RunState state() {
        return machine.state();
    }

    // ----------------------------------------------------------------- state

    /** Adds a region of {@code size} bytes (a multiple of 4096) with the node's default tracking. */
    public Region addRegion(String name, long size) {
        return addRegion(name, size, RegionOptions.defaults());
    }

    /**
     * How regions added from now on find their changed pages, unless their options say otherwise;
     * {@code auto} (kernel where it works, else hash) at first.
     */
    public void setDefaultTracking(DirtyTracking.Mode mode) {
        defaultTracking = Objects.requireNonNull(mode, "mode");
    }

    /**
     * Adds a region. Its name and size must match the other node's region; the name is also what
     * the migration stream calls it (1 to 255 bytes).
     *
     * @throws IllegalArgumentException for a name used twice, or a bad name or size
     * @throws IllegalStateException after {@link #start()} or {@link #listen}, or for kernel
     *     tracking where it cannot work (the message says why)
     */
    public Region addRegion(String name, long size, RegionOptions options) {
        Objects.requireNonNull(options, "options");
        synchronized (lock) {
            checkConfigurable("add region '" + name + "'");
            if (machine.ram(name) != null) {
                throw new IllegalArgumentException("node " + name() + " already has a region '" + name + "'");
            }
            DirtyTracker tracker = options.tracker() != null ? options.tracker()
                    : DirtyTracking.create(options.tracking() != null ? options.tracking() : defaultTracking);
            Region r = new Region(machine.addRam(name, size, options.prealloc(), tracker));
            regions.add(r);
            return r;
        }
    }

    /** The regions, in the order added. */
    public List<Region> regions() {
        return List.copyOf(regions);
    }

    /** The region called {@code name}, or null. */
    public Region region(String name) {
        for (Region r : regions) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /**
     * Registers a handler for state kept elsewhere than in regions, under {@code idstr},
     * {@code instanceId} and {@code versionId} as the stream names it; the destination must register
     * a handler under the same idstr and instance that loads that version.
     *
     * @throws IllegalArgumentException when that idstr and instance are taken (idstr "ram" is the regions')
     * @throws IllegalStateException after {@link #start()} or {@link #listen}
     */
    public void register(String idstr, int instanceId, int versionId, SaveVmHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (instanceId < 0 || versionId < 0) {
            throw new IllegalArgumentException("instance and version must not be negative: " + instanceId + ", "
                    + versionId);
        }
        synchronized (lock) {
            checkConfigurable("register handler '" + idstr + "'");
            machine.registry().register(idstr, instanceId, versionId, HandlerRegistry.PRIORITY_DEFAULT, handler);
        }
    }

    private void checkConfigurable(String what) {
        checkOpen();
        if (sealed) {
            throw new IllegalStateException("cannot " + what + ": node " + name() + " has been started or is "
                    + "listening (" + state().qmpName + "); add all state before start() or listen()");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("node " + name() + " is closed");
        }
    }

    public void addListener(NodeListener l) {
        listeners.add(l);
    }

    public void removeListener(NodeListener l) {
        listeners.remove(l);
    }

    // ------------------------------------------------------------ life cycle

    /** Runs a new node: it is the live owner of its state and may migrate out. */
    public void start() {
        synchronized (lock) {
            checkOpen();
            if (sealed) {
                throw new IllegalStateException("node " + name() + " was already started or is listening ("
                        + state().qmpName + ")");
            }
            sealed = true;
        }
        machine.start();
    }

    /**
     * Waits on {@code uri} for a source, in the background: once its state has loaded the node
     * runs and {@link NodeListener#live} is called. After a failed load the node may listen again.
     *
     * @throws IOException if the address cannot be listened on (or a file: cannot be opened)
     * @throws IllegalStateException if the node has run, or already listens or loads
     */
    public MigrationHandle listen(String uri) throws IOException {
        MigrationUri.parse(uri);
        refuseInCallback("listen()");
        synchronized (lock) {
            checkOpen();
            RunState s = state();
            if (s != RunState.PRELAUNCH && s != RunState.INMIGRATE) {
                throw new IllegalStateException("node " + name() + " has run (" + s.qmpName + "); only a new node "
                        + "can receive state");
            }
            checkNoMigration();
            sealed = true;
            String address;
            try {
                address = monitor.migrateIncoming(uri);
            } catch (MonitorException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return handles.listening(address);
        }
    }

    /**
     * Starts migrating this running node to {@code uri}, in the background.
     *
     * @throws IllegalArgumentException for a malformed URI
     * @throws IllegalStateException if the node is not running or paused, or a migration is under way
     */
    public MigrationHandle migrateTo(String uri) {
        MigrationUri.parse(uri);
        refuseInCallback("migrateTo()");
        synchronized (lock) {
            checkOpen();
            RunState s = state();
            if (s != RunState.RUNNING && s != RunState.PAUSED) {
                throw new IllegalStateException("node " + name() + " cannot migrate out while " + s.qmpName + ": "
                        + whyNotMigratable(s));
            }
            checkNoMigration();
            Migration m;
            try {
                m = monitor.migrate(uri);
            } catch (MonitorException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            return handles.adoptOutgoing(m, uri);
        }
    }

    private static String whyNotMigratable(RunState s) {
        return switch (s) {
            case PRELAUNCH -> "call start() first";
            case INMIGRATE -> "it is waiting for or loading an incoming migration";
            case FINISH_MIGRATE -> "a migration is switching over, or one whose destination may run left it "
                    + "stopped (resume() if you know the destination does not run)";
            case POSTMIGRATE -> "its state has been handed over to the destination";
            default -> "it is " + s.qmpName;
        };
    }

    private void checkNoMigration() {
        MigrationHandle h = handles.current();
        if (h != null && !h.isDone()) {
            throw new IllegalStateException("node " + name() + " has a migration under way (" + h.direction()
                    .name().toLowerCase(java.util.Locale.ROOT) + ", " + h.status().qmpName + "); cancel it or "
                    + "wait for its end");
        }
    }

    private static void refuseInCallback(String what) {
        if (Listeners.inCallback()) {
            throw new IllegalStateException(what + " from a node callback would wait for the migration that "
                    + "called it; call it from another thread");
        }
    }

    /** The latest migration, in or out (also one started over QMP), or null. */
    public MigrationHandle currentMigration() {
        return handles.current();
    }

    /**
     * Runs a stopped node again: one a management client paused, or one whose migration failed
     * after a complete stream without word from the destination (Godwit keeps such a source
     * stopped, since the destination may be running). Only resume that one when you know the
     * destination does not run, or the state lives twice.
     */
    public void resume() {
        RunState s = state();
        if (s != RunState.PAUSED && s != RunState.FINISH_MIGRATE) {
            throw new IllegalStateException("node " + name() + " is " + s.qmpName + ", not stopped");
        }
        checkNoMigration();
        machine.start();
    }

    // ------------------------------------------------- capabilities, params

    /** Capabilities by QEMU's names ({@code return-path}, {@code switchover-ack}, ...). */
    public void setCapability(Capability c, boolean on) {
        checkOpen();
        checkNoMigration();
        try {
            monitor.setCapabilities(Map.of(c, on));
        } catch (MonitorException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public Capabilities capabilities() {
        return monitor.capabilities();
    }

    /**
     * Sets a parameter by QEMU's name ({@value Parameters#DOWNTIME_LIMIT} in ms,
     * {@value Parameters#MAX_BANDWIDTH} in bytes/s with 0 for no limit,
     * {@value Parameters#AVAIL_SWITCHOVER_BANDWIDTH}, auto-converge's {@code cpu-throttle-initial},
     * {@code cpu-throttle-increment}, {@code max-cpu-throttle}, {@code throttle-trigger-threshold},
     * {@value XbzrleParameters#CACHE_SIZE} in bytes);
     * a migration under way takes it from its next iteration.
     */
    public void setParameter(String name, long value) {
        checkOpen();
        try {
            if (io.godwit.options.ThrottleParameters.NAMES.contains(name) // auto-converge, dirty-limit
                    || XbzrleParameters.NAMES.contains(name)) {
                monitor.setParameters(Map.of(), Map.of(), Map.of(), Map.of(name, value));
                return;
            }
            monitor.setParameters(Map.of(name, value));
        } catch (MonitorException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public void setDowntimeLimit(Duration limit) {
        setParameter(Parameters.DOWNTIME_LIMIT, limit.toMillis());
    }

    /** Bytes per second; 0 for no limit. */
    public void setMaxBandwidth(long bytesPerSecond) {
        setParameter(Parameters.MAX_BANDWIDTH, bytesPerSecond);
    }

    public Parameters parameters() {
        return monitor.parameters();
    }

    // ---------------------------------------------------------- management

    /**
     * A SHA-256 per region and over all regions (handlers' state is not covered). Stable only while
     * the regions are: on a stopped node, or with the service's writers quiesced.
     */
    public MachineDigest.Digest digest() {
        checkOpen();
        return MachineDigest.of(machine);
    }

    /**
     * Measures how fast the regions are dirtied over {@code window} and waits for the result (a
     * planner's input: see io.godwit.plan). Page-sampling sees any store; dirty-bitmap only writes
     * through the Region API. Blocks the caller, not the node.
     */
    public DirtyRateInfo measureDirtyRate(Duration window, DirtyRateMode mode) throws InterruptedException {
        checkOpen();
        monitor.calcDirtyRate(DirtyRateConfig.of(window.toMillis(), null, mode));
        return monitor.dirtyRateMeter().await(window.plusSeconds(30));
    }

    /** What QMP serves: {@code new QmpServer(onQuit).listen("unix:/run/svc.qmp", node.monitor())}. */
    public Monitor monitor() {
        return monitor;
    }

    /** Also sends the monitor's events (MIGRATION, STOP, RESUME...) to {@code sink}, e.g. a QmpServer's emit. */
    public void addEventSink(MonitorEvents sink) {
        eventSinks.add(Objects.requireNonNull(sink, "sink"));
    }

    /**
     * Cancels an outgoing migration that can still be cancelled, stops listening, ends a load
     * under way, waits (up to 10 s) for the migration's thread, and frees the regions. Idempotent.
     */
    @Override
    public void close() {
        refuseInCallback("close()");
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        monitor.close();
        MigrationHandle h = handles.current();
        if (h != null) {
            try {
                h.completion().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // freeing anyway: the engine's threads see a closed segment, not freed memory
            }
        }
        machine.close();
        if (h != null) {
            h.finish(MigrationHandle.waiting(MigrationStatus.FAILED, "node " + name() + " was closed"));
        }
    }

    @Override
    public String toString() {
        return "Node[" + name() + ", " + state().qmpName + "]";
    }
}
