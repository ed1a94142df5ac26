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
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.MultifdParameters;
import io.godwit.options.Parameters;
import io.godwit.options.ThrottleParameters;
import io.godwit.options.TlsParameters;
import io.godwit.options.XbzrleParameters;
import io.godwit.transport.tls.Authz;
import io.godwit.transport.tls.TlsCreds;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What a management client can do to one machine (QEMU's monitor): migrate it out or in, cancel,
 * set capabilities and parameters, stop and continue it, and query it. Commands may come from
 * several clients at once; the methods are synchronized, and the migrations run on their own
 * threads. The commands themselves live in the package's parts: {@link OutgoingCommands},
 * {@link IncomingCommands}, {@link NodeConfig}, {@link MigrationQuery}, {@link DiskCommands} and
 * {@link GuestChecks}; this class is their one entry point and their lock.
 */
public final class Monitor implements AutoCloseable {
    private final Machine machine;
    private final MigrationFanOut fanOut;
    private final CurrentMigrations current = new CurrentMigrations();
    private final NodeConfig config = new NodeConfig(current);
    private final UserObjects objects = new UserObjects();
    private final OutgoingCommands out;
    private final IncomingCommands in;
    private final DiskCommands disks;
    private final GuestChecks checks;
    private final DirtyRateMeter dirtyRate;

    public Monitor(Machine machine, Clock clock, MonitorEvents events) {
        this.machine = machine;
        this.fanOut = new MigrationFanOut(config::caps, events);
        this.out = new OutgoingCommands(machine, clock, config, current, objects, fanOut);
        this.in = new IncomingCommands(this, machine, clock, config, current, objects, fanOut);
        this.disks = new DiskCommands(machine);
        this.checks = new GuestChecks(machine);
        this.dirtyRate = new DirtyRateMeter(machine::ram, clock);
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
        fanOut.add(l);
    }

    // ----------------------------------------------------------- migration

    /** Starts migrating this machine to {@code uri}; the outcome shows in query-migrate. */
    public synchronized Migration migrate(String uri) {
        return out.migrate(uri);
    }

    /** Listens on {@code uri} for an incoming migration, in the background. */
    public synchronized String migrateIncoming(String uri) throws IOException {
        return in.migrateIncoming(uri);
    }

    /** migrate resume=true: a paused post-copy goes on over a new connection to {@code uri}. */
    public synchronized void resume(String uri) {
        out.resume(uri);
    }

    /** migrate-pause: breaks the link of a post-copy migration, outgoing or incoming; both sides pause. */
    public synchronized void pause() {
        Migration m = current.outgoing;
        IncomingMigration inc = current.incoming;
        try {
            if (m != null && m.status().isPostcopy()) {
                m.pause();
            } else if (inc != null) {
                inc.pause();
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
        return in.migrateRecover(uri);
    }

    /**
     * Cancels the outgoing migration; false when there is none or it is past the point of no return.
     * Refused in post-copy, as QEMU refuses it: the destination runs, there is nothing to go back to.
     */
    public synchronized boolean cancel() {
        return out.cancel();
    }

    /**
     * migrate-start-postcopy: the outgoing migration switches to post-copy as soon as what must
     * precede the switch fits. As in QEMU, harmless once the migration has ended.
     */
    public synchronized void startPostcopy() {
        out.startPostcopy();
    }

    /**
     * query-migrate: the outgoing migration if there was one, else the incoming one; while a
     * listener waits for a source with nothing received yet, status setup.
     */
    public MigrationInfo queryMigrate() {
        return MigrationQuery.of(current, in);
    }

    /** The URI an incoming migration is listened for on (a tcp port 0 resolved), or null. */
    public String listenAddress() {
        return in.listenAddress();
    }

    public MigrationInfo outgoingInfo() {
        Migration m = current.outgoing;
        return m != null ? m.info() : null;
    }

    /** The last outgoing migration, or null. */
    public Migration outgoing() {
        return current.outgoing;
    }

    /** The last incoming migration once a source has connected, or null. */
    public IncomingMigration incoming() {
        return current.incoming;
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
        return config.caps();
    }

    public synchronized void setCapabilities(Map<Capability, Boolean> changes) {
        config.setCapabilities(changes);
    }

    public Parameters parameters() {
        return config.settings().params();
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
        config.setParameters(changes, strings, multifdChanges, otherChanges);
    }

    public TlsParameters tlsParameters() {
        return config.settings().tls();
    }

    public MultifdParameters multifdParameters() {
        return config.settings().multifd();
    }

    public ThrottleParameters throttleParameters() {
        return config.settings().throttle();
    }

    public XbzrleParameters xbzrleParameters() {
        return config.settings().xbzrle();
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

    /**
     * Cancels what can be cancelled, stops listening and ends an incoming load under way (the
     * machine stays stopped); the machine itself is the caller's.
     */
    @Override
    public synchronized void close() {
        in.markClosed();
        checks.stopRamWriter();
        out.close();
        in.close();
    }
}
