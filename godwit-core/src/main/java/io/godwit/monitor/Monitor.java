package io.godwit.monitor;

import io.godwit.block.BlockDevice;
import io.godwit.clock.Clock;
import io.godwit.dirtyrate.DirtyRateConfig;
import io.godwit.dirtyrate.DirtyRateInfo;
import io.godwit.dirtyrate.DirtyRateMeter;
import io.godwit.machine.AbCheck;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.IncomingMigration;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationListener;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.MultifdParameters;
import io.godwit.options.Parameters;
import io.godwit.options.ThrottleParameters;
import io.godwit.options.TlsParameters;
import io.godwit.options.XbzrleParameters;
import io.godwit.transport.ChannelWrapper;
import io.godwit.transport.Connection;
import io.godwit.transport.Listener;
import io.godwit.transport.MigrationUri;
import io.godwit.transport.Transports;
import io.godwit.transport.tls.Authz;
import io.godwit.transport.tls.TlsCreds;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a management client can do to one machine (QEMU's monitor): migrate it out or in, cancel,
 * set capabilities and parameters, stop and continue it, and query it. Commands may come from
 * several clients at once; the methods are synchronized, and the migrations run on their own
 * threads.
 */
public final class Monitor implements AutoCloseable {
    private final Machine machine;
    private final Clock clock;
    private final MonitorEvents events;
    private final List<MigrationListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Capabilities caps = Capabilities.defaults();
    private volatile Settings settings = Settings.defaults();
    private volatile Migration outgoing;
    private final io.godwit.migration.SwitchHistory switchHistory = new io.godwit.migration.SwitchHistory();
    private volatile IncomingMigration incoming;
    private volatile Listener listener;
    private volatile String listenAddress;
    private final UserObjects objects = new UserObjects();
    private volatile String incomingError; // why the last incoming connection was refused
    private final DirtyRateMeter dirtyRate;
    private final DiskCommands disks;
    private final GuestChecks checks;

    public Monitor(Machine machine, Clock clock, MonitorEvents events) {
        this.machine = machine;
        this.clock = clock;
        this.events = events;
        this.dirtyRate = new DirtyRateMeter(machine::ram, clock);
        this.disks = new DiskCommands(machine);
        this.checks = new GuestChecks(machine);
        machine.onStateChange((from, to) -> {
            if (to == RunState.RUNNING) {
                events.emit("RESUME", Map.of());
            } else if (from == RunState.RUNNING) {
                events.emit("STOP", Map.of());
            }
        });
    }

    public Machine machine() {
        return machine;
    }

    /** Also tells {@code l} about every migration from now on (for progress output). */
    public void addMigrationListener(MigrationListener l) {
        listeners.add(l);
    }

    private MigrationListener fanOut() {
        return new MigrationListener() {
            @Override
            public void statusChanged(MigrationStatus from, MigrationStatus to) {
                if (caps.has(Capability.EVENTS)) {
                    events.emit("MIGRATION", Map.of("status", to.qmpName));
                }
                listeners.forEach(l -> l.statusChanged(from, to));
            }

            @Override
            public void passCompleted(long count) {
                if (caps.has(Capability.EVENTS)) {
                    events.emit("MIGRATION_PASS", Map.of("pass", count));
                }
                listeners.forEach(l -> l.passCompleted(count));
            }
        };
    }

    // ----------------------------------------------------------- migration

    /** Starts migrating this machine to {@code uri}; the outcome shows in query-migrate. */
    public synchronized Migration migrate(String uri) {
        MigrationUri.parse(uri); // a malformed URI is refused here, not reported later
        if (migrationActive()) {
            throw new MonitorException("There's a migration process in progress");
        }
        if (machine.state() == RunState.INMIGRATE) {
            throw new MonitorException("Guest is waiting for an incoming migration");
        }
        Settings st = settings;
        Parameters p = st.params();
        Migration m = new Migration(machine, opener(uri, p, st.tls()), p, caps, clock, fanOut()).multifd(st.multifd())
                .throttle(st.throttle()).preemptChannel(opener(uri, p, st.tls())) // postcopy-preempt: a second connection, alike
                .xbzrle(st.xbzrle())
                .switchHistory(switchHistory); // what this node's last switch cost counts in the next
        outgoing = m;
        m.start();
        return m;
    }

    /**
     * Connects to {@code uri} and wraps the channel as the TLS parameters want it, on the migration
     * thread: a TLS refusal is a failed migration, as in QEMU.
     */
    private Migration.Opener opener(String uri, Parameters p, TlsParameters tp) {
        Migration.Opener raw = Migration.Opener.connecting(uri, p.connectTimeoutMs());
        return new Migration.Opener() {
            @Override
            public Connection open() throws IOException {
                ChannelWrapper w = security(tp); // bad TLS parameters fail before any connect
                return w.wrap(raw.open());
            }

            @Override
            public void abandon() {
                raw.abandon();
            }

            @Override
            public Connection openChannel() throws IOException {
                if (tp.enabled()) {
                    throw new IOException("capability 'multifd' with tls-creds is not supported by Godwit");
                }
                return raw.openChannel();
            }
        };
    }

    /** What an outgoing connection goes through, as the TLS parameters want it. */
    private ChannelWrapper security(TlsParameters tp) throws IOException {
        try {
            return ChannelSecurity.outgoing(tp, objects);
        } catch (MonitorException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Listens on {@code uri} for an incoming migration, in the background. */
    public synchronized String migrateIncoming(String uri) throws IOException {
        MigrationUri.parse(uri);
        if (incoming != null && incoming.status().isActive() || listener != null) {
            throw new MonitorException("An incoming migration is already waiting or in progress");
        }
        if (machine.state() != RunState.PRELAUNCH && machine.state() != RunState.INMIGRATE) {
            throw new MonitorException("The machine has already run; an incoming migration needs a fresh machine");
        }
        ChannelWrapper security = ChannelSecurity.incoming(settings.tls(), objects); // bad TLS parameters: refused now
        machine.expectIncoming();
        Listener l = Transports.listen(uri, () -> settings.params().incomingIdleTimeoutMs(),
                notice -> System.err.println("godwit: " + notice), security != ChannelWrapper.NONE);
        // the preempt channel comes to the same address after the main one
        l.keepForPreempt(() -> caps.has(Capability.POSTCOPY_PREEMPT));
        incoming = null; // query-migrate shows this attempt from now on, not the one before
        listener = l;
        listenAddress = l.address();
        incomingError = null;
        Thread.ofPlatform().name("godwit-accept").start(() -> accept(l, security));
        return listenAddress;
    }

    private void accept(Listener l, ChannelWrapper security) {
        IncomingMigration in;
        try {
            // multifd must be set before migrate-incoming (as QEMU requires: the listener waits for
            // its channels); the other capabilities may change until the source connects
            Capabilities atListen = caps;
            MultifdParameters mp = settings.multifd();
            Listener.Accepted a = l.accept(atListen.has(Capability.MULTIFD) ? mp.channels() : 0);
            Capabilities c = caps;
            if (c.has(Capability.MULTIFD) != atListen.has(Capability.MULTIFD)) {
                c = atListen;
            }
            in = new IncomingMigration(machine, security.wrap(a.main()), c, clock, fanOut())
                    .readTimeout(settings.params().incomingReadTimeoutMs()).multifd(a.multifd(), mp);
        } catch (IOException | RuntimeException failed) { // a bug is a failed incoming, not a silent end
            String m = failed.getMessage() != null ? failed.getMessage() : failed.getClass().getSimpleName();
            IOException e = failed instanceof IOException io ? io : new IOException(m, failed);
            synchronized (this) {
                listener = null;
                listenAddress = null; // closed: one connection per migrate-incoming
                incomingError = closed ? null : e.getMessage();
            }
            if (!closed) {
                // QEMU reports a refused TLS session on stderr and stays ready for another attempt
                System.err.println("godwit: incoming migration on " + l.address() + ": " + e.getMessage());
                if (caps.has(Capability.EVENTS)) {
                    events.emit("MIGRATION", Map.of("status", MigrationStatus.FAILED.qmpName));
                }
            }
            String reason = closed ? "closed before a source connected" : e.getMessage();
            listeners.forEach(x -> x.incomingFailed(l.address(), reason));
            return;
        }
        synchronized (this) {
            incoming = in;
            listener = null;
        }
        if (caps.has(Capability.POSTCOPY_PREEMPT)) {
            Thread.ofPlatform().name("godwit-preempt-accept").start(() -> acceptPreempt(l, security, in));
        }
        in.run();
        try {
            l.close(); // a preempt channel that never came is not waited for any more
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The postcopy-preempt channel: the next connection to the same listener. */
    private static void acceptPreempt(Listener l, ChannelWrapper security, IncomingMigration in) {
        try {
            in.preemptChannel(security.wrap(l.acceptPreempt()));
        } catch (IOException e) {
            in.preemptChannelFailed(e.getMessage());
        }
    }

    /** migrate resume=true: a paused post-copy goes on over a new connection to {@code uri}. */
    public synchronized void resume(String uri) {
        MigrationUri.parse(uri);
        Migration m = outgoing;
        if (m == null || m.status() != MigrationStatus.POSTCOPY_PAUSED) {
            throw new MonitorException("Cannot resume if there is no paused migration");
        }
        m.resume(opener(uri, settings.params(), settings.tls())); // a resumed post-copy is as secure as the first connection
    }

    /** migrate-pause: breaks the link of a post-copy migration, outgoing or incoming; both sides pause. */
    public synchronized void pause() {
        Migration m = outgoing;
        IncomingMigration in = incoming;
        try {
            if (m != null && m.status().isPostcopy()) {
                m.pause();
            } else if (in != null) {
                in.pause();
            } else {
                throw new IllegalStateException("migrate-pause is currently only supported during postcopy-active "
                        + "or postcopy-recover state");
            }
        } catch (IllegalStateException e) {
            throw new MonitorException(e.getMessage());
        }
    }

    /**
     * migrate-recover: listens on {@code uri} for the source of a paused incoming post-copy; the
     * connection it accepts carries the rest of the migration.
     */
    public synchronized String migrateRecover(String uri) throws IOException {
        MigrationUri.parse(uri);
        IncomingMigration in = incoming;
        if (in == null || in.status() != MigrationStatus.POSTCOPY_PAUSED) {
            throw new MonitorException("Migrate recover can only be run when postcopy is paused.");
        }
        ChannelWrapper security = ChannelSecurity.incoming(settings.tls(), objects); // bad TLS parameters: refused now
        Listener l = Transports.listenForRecovery(uri, security != ChannelWrapper.NONE);
        listenAddress = l.address();
        Thread.ofPlatform().name("godwit-recover-accept").start(() -> {
            try (l) {
                Connection c = security.wrap(l.accept());
                in.readTimeout(settings.params().incomingReadTimeoutMs()).recover(c); // the value in force now
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    System.err.println("godwit: migrate-recover on " + l.address() + ": " + e.getMessage());
                }
            }
        });
        return listenAddress;
    }

    /**
     * Cancels the outgoing migration; false when there is none or it is past the point of no return.
     * Refused in post-copy, as QEMU refuses it: the destination runs, there is nothing to go back to.
     */
    public synchronized boolean cancel() {
        Migration m = outgoing;
        if (m != null && m.status().isPostcopy()) {
            throw new MonitorException("Postcopy migration in progress, cannot cancel.");
        }
        return m != null && m.status().isActive() && m.cancel();
    }

    /**
     * migrate-start-postcopy: the outgoing migration switches to post-copy as soon as what must
     * precede the switch fits. As in QEMU, harmless once the migration has ended.
     */
    public synchronized void startPostcopy() {
        if (!caps.has(Capability.POSTCOPY_RAM)) {
            throw new MonitorException("Enable postcopy with migrate_set_capability before the start of migration");
        }
        Migration m = outgoing;
        if (m == null) {
            throw new MonitorException("Postcopy must be started after migration has been started");
        }
        try {
            m.startPostcopy();
        } catch (IllegalStateException e) {
            throw new MonitorException(e.getMessage()); // that migration began without postcopy-ram
        }
    }

    private boolean migrationActive() {
        Migration m = outgoing;
        IncomingMigration in = incoming;
        return m != null && m.status().isActive() || in != null && in.status().isActive();
    }

    /**
     * query-migrate: the outgoing migration if there was one, else the incoming one; while a
     * listener waits for a source with nothing received yet, status setup.
     */
    public MigrationInfo queryMigrate() {
        Migration m = outgoing;
        if (m != null) {
            return m.info();
        }
        IncomingMigration in = incoming;
        if (in != null && in.status() != MigrationStatus.NONE) {
            return in.info();
        }
        // accepted but not started yet counts as the listener's setup; a refused TLS session as failed
        String refused = incomingError;
        MigrationStatus status = listener != null || in != null ? MigrationStatus.SETUP
                : refused != null ? MigrationStatus.FAILED : MigrationStatus.NONE;
        return new MigrationInfo(status, status == MigrationStatus.FAILED ? refused : null, -1, -1, -1, -1, 0, null,
                List.of(), null);
    }

    /** The URI an incoming migration is listened for on (a tcp port 0 resolved), or null. */
    public String listenAddress() {
        return listenAddress;
    }

    public MigrationInfo outgoingInfo() {
        Migration m = outgoing;
        return m != null ? m.info() : null;
    }

    /** The last outgoing migration, or null. */
    public Migration outgoing() {
        return outgoing;
    }

    /** The last incoming migration once a source has connected, or null. */
    public IncomingMigration incoming() {
        return incoming;
    }

    // ------------------------------------------------------------ dirty rate

    /** calc-dirty-rate: starts measuring in the background; query with {@link #queryDirtyRate()}. */
    public void calcDirtyRate(DirtyRateConfig config) {
        try {
            dirtyRate.start(config);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new MonitorException(e.getMessage());
        }
    }

    /** query-dirty-rate: the last measurement, or the one under way. */
    public DirtyRateInfo queryDirtyRate() {
        return dirtyRate.info();
    }

    /** The meter itself, for callers that wait for a result. */
    public DirtyRateMeter dirtyRateMeter() {
        return dirtyRate;
    }

    // ------------------------------------------------- capabilities, params

    public Capabilities capabilities() {
        return caps;
    }

    public synchronized void setCapabilities(Map<Capability, Boolean> changes) {
        if (migrationActive()) {
            throw new MonitorException("There's a migration process in progress");
        }
        try {
            caps = caps.with(changes);
        } catch (IllegalArgumentException e) {
            throw new MonitorException(e.getMessage());
        }
    }

    public Parameters parameters() {
        return settings.params();
    }

    /** Sets parameters by QMP name; an active migration takes them from its next iteration. */
    public synchronized void setParameters(Map<String, Long> changes) {
        setParameters(changes, Map.of());
    }

    /**
     * Sets numeric and string parameters at once: all or none. TLS parameters apply to the next
     * migration (a running one keeps its session).
     */
    public synchronized void setParameters(Map<String, Long> changes, Map<String, String> strings) {
        setParameters(changes, strings, Map.of());
    }

    /**
     * As {@link #setParameters(Map, Map)}, with multifd parameters (values Long, String or
     * Boolean); these apply to the next migration, and only while none is active, as in QEMU.
     */
    public synchronized void setParameters(Map<String, Long> changes, Map<String, String> strings,
            Map<String, Object> multifdChanges) {
        setParameters(changes, strings, multifdChanges, Map.of());
    }

    /**
     * As {@link #setParameters(Map, Map, Map)}, with auto-converge, dirty-limit and xbzrle
     * parameters by name in {@code otherChanges} (values Long or Boolean). A running migration takes
     * the throttle ones from its next sync and a new xbzrle-cache-size at once (an empty cache of that
     * size), as in QEMU. All or none: every value is checked before any is applied.
     */
    public synchronized void setParameters(Map<String, Long> changes, Map<String, String> strings,
            Map<String, Object> multifdChanges, Map<String, Object> otherChanges) {
        Settings before = settings;
        Settings next;
        try {
            next = before.with(changes, strings, multifdChanges, otherChanges);
        } catch (IllegalArgumentException e) {
            throw new MonitorException(e.getMessage());
        }
        if (!multifdChanges.isEmpty() && migrationActive()) {
            throw new MonitorException("There's a migration process in progress");
        }
        settings = next;
        Migration m = outgoing;
        if (m != null && m.status().isActive()) {
            m.setParameters(next.params());
            if (!next.throttle().equals(before.throttle())) {
                m.setThrottleParameters(next.throttle());
            }
            if (!next.xbzrle().equals(before.xbzrle())) {
                m.setXbzrleParameters(next.xbzrle());
            }
        }
    }

    public TlsParameters tlsParameters() {
        return settings.tls();
    }

    public MultifdParameters multifdParameters() {
        return settings.multifd();
    }

    public ThrottleParameters throttleParameters() {
        return settings.throttle();
    }

    public XbzrleParameters xbzrleParameters() {
        return settings.xbzrle();
    }

    // ------------------------------------------------------------- objects

    /** object-add of tls-creds-x509 or tls-creds-psk (loaded and checked by the caller). */
    public void addObject(TlsCreds creds) {
        objects.add(creds.id(), creds);
    }

    /** object-add of authz-list or authz-simple. */
    public void addObject(Authz authz) {
        objects.add(authz.id(), authz);
    }

    /** object-del. A migration under way keeps the objects it started with. */
    public void deleteObject(String id) {
        objects.remove(id);
    }

    public UserObjects objects() {
        return objects;
    }

    // ---------------------------------------------------------- run state

    public synchronized void stop() {
        if (machine.state() == RunState.RUNNING) {
            machine.stop(RunState.PAUSED);
        }
    }

    public synchronized void cont() {
        RunState s = machine.state();
        if (s == RunState.INMIGRATE) {
            throw new MonitorException("Guest is waiting for an incoming migration");
        }
        if (s == RunState.FINISH_MIGRATE) {
            throw new MonitorException("The machine is being handed over to the destination");
        }
        if (s != RunState.RUNNING) {
            machine.start();
        }
    }

    /** query-status: the machine's run state. */
    public RunState status() {
        return machine.state();
    }

    // -------------------------------------------------------- verification

    /** x-query-digest: SHA-256 of all migrated state, per part and overall. */
    public MachineDigest.Digest digest() {
        return checks.digest();
    }

    /** x-check-ab: the a-b check over all RAM. */
    public AbCheck.Result checkAb() {
        return checks.checkAb();
    }

    /** x-check-ab over part of one block (a QEMU guest's a-b range); length null: to the block's end. */
    public AbCheck.Result checkAb(String block, long offset, Long length) {
        return checks.checkAb(block, offset, length);
    }

    /**
     * x-ram-write: {@code value} at {@code count} places {@code stride} bytes apart, tracked as
     * writes; with {@code repeat}, again and again (the value going up) until the next x-ram-write.
     * A repeating writer still going is stopped first.
     */
    public synchronized void ramWrite(String block, long offset, long count, long stride, int value, boolean repeat) {
        checks.ramWrite(block, offset, count, stride, value, repeat);
    }

    /** Pages the guest marked unused, and how many of them hold anything but zero. */
    public record UnusedPages(long unused, long nonZero) {}

    /** x-check-unused. */
    public UnusedPages checkUnused() {
        return checks.checkUnused();
    }

    // ----------------------------------------------------- disks and bitmaps

    /** block-dirty-bitmap-add; granularity 0 means QEMU's default for a raw image, 64 KiB. */
    public void addBitmap(String node, String name, int granularity, boolean persistent, boolean disabled) {
        disks.addBitmap(node, name, granularity, persistent, disabled);
    }

    public void removeBitmap(String node, String name) {
        disks.removeBitmap(node, name);
    }

    public void clearBitmap(String node, String name) {
        disks.clearBitmap(node, name);
    }

    public void enableBitmap(String node, String name, boolean on) {
        disks.enableBitmap(node, name, on);
    }

    /**
     * x-disk-write: writes {@code length} bytes of a pattern from {@code seed} at {@code offset}, as
     * the machine would (bitmaps record it). For tests and demonstrations.
     */
    public void diskWrite(String node, long offset, long length, long seed) throws IOException {
        disks.diskWrite(node, offset, length, seed);
    }

    /** x-debug-block-dirty-bitmap-sha256. */
    public String bitmapSha256(String node, String name) {
        return disks.bitmapSha256(node, name);
    }

    /** query-block: the disks, with their dirty bitmaps. */
    public List<BlockDevice> disks() {
        return disks.disks();
    }

    private volatile boolean closed;

    /**
     * Cancels what can be cancelled, stops listening and ends an incoming load under way (the
     * machine stays stopped); the machine itself is the caller's.
     */
    @Override
    public synchronized void close() {
        closed = true;
        checks.stopRamWriter();
        Migration m = outgoing;
        if (m != null && m.status().isPostcopy()) {
            m.abandon(); // a paused post-copy waits for nobody any more
        } else if (m != null && m.status().isActive()) {
            m.cancel();
        }
        IncomingMigration in = incoming;
        if (in != null && in.status().isPostcopy()) {
            in.abandon(); // the destination runs; its load cannot be undone
        } else if (in != null && in.status().isActive()) {
            in.abort();
        }
        Listener l = listener;
        if (l != null) {
            try {
                l.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
