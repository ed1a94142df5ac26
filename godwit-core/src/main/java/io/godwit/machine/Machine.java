package io.godwit.machine;

import io.godwit.bitmap.BitmapMigration;
import io.godwit.block.BlockDevice;
import io.godwit.block.BlockMigration;
import io.godwit.block.DiskSizes;
import io.godwit.clock.Clock;
import io.godwit.device.DeviceHandler;
import io.godwit.device.DeviceState;
import io.godwit.device.MigratableDevice;
import io.godwit.device.PendingPolicy;
import io.godwit.ram.DirtyTracker;
import io.godwit.ram.RamBlock;
import io.godwit.ram.RamHandler;
import io.godwit.savevm.HandlerRegistry;
import io.godwit.stattrib.StattribMigration;
import io.godwit.stattrib.StorageAttributes;
import io.godwit.trace.DeviceStateEvent;
import io.godwit.trace.Trace;
import io.godwit.vcpu.Vcpus;
import io.godwit.vcpu.Workload;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A machine: RAM blocks, the handlers that migrate them, workloads running on their own threads,
 * and a run state. Run-state changes are serialised on the machine; stopping waits until every
 * workload thread has parked, so a stopped machine's memory is stable.
 */
public final class Machine implements AutoCloseable {
    /** The machine type sent in the configuration section and checked on the destination. */
    public static final String MACHINE_TYPE = "godwit";

    private final String name;
    private final Clock clock;
    private final List<RamBlock> ram = new CopyOnWriteArrayList<>();
    private final HandlerRegistry registry = new HandlerRegistry();
    private final Vcpus vcpus;
    private final List<Workload> workloads = new CopyOnWriteArrayList<>();
    private final List<DeviceHandler> devices = new CopyOnWriteArrayList<>();
    private final List<BlockDevice> disks = new CopyOnWriteArrayList<>();
    private volatile StorageAttributes attributes;
    private final RamHandler ramHandler;
    private volatile RunState state = RunState.PRELAUNCH;
    private volatile String machineType = MACHINE_TYPE;
    private volatile long maxRam; // 0: what the host can back (HostMemory)
    private final List<java.util.function.BiConsumer<RunState, RunState>> stateListeners = new CopyOnWriteArrayList<>();

    public Machine(String name) {
        this(name, Clock.system());
    }

    public Machine(String name, Clock clock) {
        this.name = name;
        this.clock = clock;
        this.vcpus = new Vcpus(name, clock);
        ramHandler = new RamHandler(this::ram);
        registry.register(io.godwit.stream.StreamConstants.RAM_IDSTR, 0, RamHandler.VERSION,
                HandlerRegistry.PRIORITY_DEFAULT, ramHandler);
    }

    public String name() {
        return name;
    }

    private final List<java.util.function.IntConsumer> throttleListeners = new CopyOnWriteArrayList<>();

    /** How the workload threads are slowed while a migration asks for it (auto-converge, dirty-limit). */
    public io.godwit.vcpu.VcpuThrottle throttle() {
        return vcpus.throttle();
    }

    /**
     * Sets the CPU throttle of the workload threads (percent, 0 for none) and tells the listeners
     * when it changes: writers that are not workload threads (a service's) slow themselves.
     */
    public void setCpuThrottle(int percent) {
        io.godwit.vcpu.VcpuThrottle t = vcpus.throttle();
        int before = t.cpuThrottle();
        t.setCpuThrottle(percent);
        int now = t.cpuThrottle();
        if (now != before) {
            throttleListeners.forEach(l -> l.accept(now));
        }
    }

    /** Hears every change of the CPU throttle (the percentage; 0 when it ends), on the thread making it. */
    public void onCpuThrottle(java.util.function.IntConsumer l) {
        throttleListeners.add(l);
    }

    public Clock clock() {
        return clock;
    }

    /** The machine type this machine sends and expects in the configuration section. */
    public String machineType() {
        return machineType;
    }

    public void setMachineType(String type) {
        this.machineType = type;
    }

    public HandlerRegistry registry() {
        return registry;
    }

    /** The RAM handler, for the migration that hands it multifd channels. */
    public RamHandler ramHandler() {
        return ramHandler;
    }

    /**
     * True while the machine has no RAM, disks, devices or storage attributes of its own: an
     * incoming migration then gives it the source's (see {@link ForeignState}).
     */
    public boolean isBlank() {
        return ram.isEmpty() && disks.isEmpty() && devices.isEmpty() && attributes == null;
    }

    private volatile io.godwit.savevm.RawSection.Check rawSectionCheck;

    /** How device state kept raw is checked against the source's trailer (the CLI knows VMState). */
    public void setRawSectionCheck(io.godwit.savevm.RawSection.Check check) {
        this.rawSectionCheck = check;
    }

    public io.godwit.savevm.RawSection.Check rawSectionCheck() {
        return rawSectionCheck;
    }

    // ------------------------------------------------------------------ RAM

    /** Adds a RAM block; {@code prealloc} faults its pages in now (QEMU's -mem-prealloc). */
    public RamBlock addRam(String blockName, long size, boolean prealloc) {
        return addRam(blockName, size, prealloc, DirtyTracker.EXPLICIT);
    }

    /** Adds a RAM block whose writes that bypass {@link RamBlock}'s methods {@code tracker} finds. */
    public synchronized RamBlock addRam(String blockName, long size, boolean prealloc, DirtyTracker tracker) {
        if (ram(blockName) != null) {
            throw new IllegalArgumentException("RAM block '" + blockName + "' already exists");
        }
        if (state != RunState.PRELAUNCH && state != RunState.INMIGRATE) {
            throw new IllegalStateException("RAM can only be added before the machine starts");
        }
        RamBlock b = new RamBlock(blockName, size, prealloc, tracker);
        ram.add(b);
        return b;
    }

    public RamBlock addRam(String blockName, long size) {
        return addRam(blockName, size, false);
    }

    /** Removes and frees a block that a failed incoming migration adopted. */
    synchronized void removeRam(RamBlock b) {
        if (state.running()) {
            throw new IllegalStateException("RAM can only be removed while the machine is not running");
        }
        if (ram.remove(b)) {
            b.close();
        }
    }

    /**
     * The most RAM this machine maps for blocks an incoming stream asks for (a blank destination):
     * set by {@link #setMaxRam}, else {@link HostMemory#backable()}.
     */
    public long maxRam() {
        long m = maxRam;
        return m > 0 ? m : HostMemory.backable();
    }

    /** Sets {@link #maxRam()}; 0 restores the default. */
    public void setMaxRam(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("the RAM limit must not be negative: " + bytes);
        }
        this.maxRam = bytes;
    }

    public List<RamBlock> ram() {
        return List.copyOf(ram);
    }

    /** The block called {@code blockName}, or null. */
    public RamBlock ram(String blockName) {
        for (RamBlock b : ram) {
            if (b.name().equals(blockName)) {
                return b;
            }
        }
        return null;
    }

    public long ramSize() {
        long s = 0;
        for (RamBlock b : ram) {
            s += b.size();
        }
        return s;
    }

    // ---------------------------------------------------------------- disks

    /**
     * Attaches a disk. The first one registers block migration ("block", active with the block
     * capability), Godwit's disk size check ("godwit/disks") and dirty-bitmap migration
     * ("dirty-bitmap", active with the dirty-bitmaps capability).
     */
    public synchronized void addDisk(BlockDevice disk) {
        for (BlockDevice d : disks) {
            if (d.name().equals(disk.name())) {
                throw new IllegalArgumentException("disk '" + disk.name() + "' already exists");
            }
        }
        if (disks.isEmpty()) {
            registry.register(DiskSizes.IDSTR, 0, DiskSizes.VERSION, DiskSizes.PRIORITY, new DiskSizes(this::disks));
            registry.register(BlockMigration.IDSTR, 0, BlockMigration.VERSION, HandlerRegistry.PRIORITY_DEFAULT,
                    new BlockMigration(this::disks));
            registry.register(BitmapMigration.IDSTR, 0, BitmapMigration.VERSION, HandlerRegistry.PRIORITY_DEFAULT,
                    new BitmapMigration(this::disks));
        }
        disks.add(disk);
    }

    public List<BlockDevice> disks() {
        return List.copyOf(disks);
    }

    /** The disk called {@code name}, or null. */
    public BlockDevice disk(String name) {
        for (BlockDevice d : disks) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    // --------------------------------------------------- storage attributes

    /** Gives the RAM added so far per-page storage attributes, migrated in their own section. */
    public synchronized StorageAttributes enableStorageAttributes() {
        if (attributes != null) {
            return attributes;
        }
        if (ram.isEmpty()) {
            throw new IllegalStateException("storage attributes need RAM first");
        }
        StorageAttributes a = new StorageAttributes(ram());
        attributes = a;
        ramHandler.setUnusedPages(a::unused);
        registry.register(StattribMigration.IDSTR, 0, StattribMigration.VERSION, HandlerRegistry.PRIORITY_DEFAULT,
                new StattribMigration(this::storageAttributes));
        return a;
    }

    /** The machine's storage attributes, or null. */
    public StorageAttributes storageAttributes() {
        return attributes;
    }

    // -------------------------------------------------------------- devices

    /**
     * Adds a device, migrated by a {@link DeviceHandler} under {@code ID/vfio} with the given
     * pending policy. The device follows the machine's run state as a VFIO device follows the
     * VM's: RUNNING while the machine runs; when it stops, STOP_COPY if pre-copy was under way,
     * else STOP (with P2P support every device first goes to its P2P state, then all stop).
     */
    public synchronized DeviceHandler addDevice(MigratableDevice device, PendingPolicy policy) {
        for (DeviceHandler d : devices) {
            if (d.device().id().equals(device.id())) {
                throw new IllegalArgumentException("device '" + device.id() + "' already exists");
            }
        }
        DeviceHandler h = new DeviceHandler(device, policy);
        registry.register(device.id() + DeviceHandler.IDSTR_SUFFIX, 0, DeviceHandler.VERSION, HandlerRegistry.PRIORITY_DEFAULT, h);
        devices.add(h);
        device.onStateChange((from, to) -> {
            if (Trace.active()) {
                DeviceStateEvent e = new DeviceStateEvent();
                e.device = device.id();
                e.from = from.name();
                e.to = to.name();
                e.commit();
            }
        });
        Workload activity = device.activity();
        if (activity != null) {
            addWorkload(activity);
        }
        return h;
    }

    public List<DeviceHandler> devices() {
        return List.copyOf(devices);
    }

    /** The device called {@code id}, or null. */
    public MigratableDevice device(String id) {
        for (DeviceHandler d : devices) {
            if (d.device().id().equals(id)) {
                return d.device();
            }
        }
        return null;
    }

    private void devicesFollow(RunState from, RunState to) {
        if (to.running() && !from.running()) {
            for (DeviceHandler d : devices) {
                MigratableDevice dev = d.device();
                if (dev.state() == DeviceState.ERROR) {
                    dev.reset();
                }
                dev.setState(DeviceState.RUNNING);
            }
        } else if (from.running() && !to.running()) {
            for (DeviceHandler d : devices) { // P2P: quiesce every device before any stops
                MigratableDevice dev = d.device();
                if (dev.p2p()) {
                    dev.setState(dev.state().isPrecopy() ? DeviceState.PRE_COPY_P2P : DeviceState.RUNNING_P2P);
                }
            }
            boolean saving = to == RunState.FINISH_MIGRATE || to == RunState.PAUSED;
            for (DeviceHandler d : devices) {
                MigratableDevice dev = d.device();
                dev.setState(saving && dev.state().isPrecopy() ? DeviceState.STOP_COPY : DeviceState.STOP);
            }
        }
    }

    // ------------------------------------------------------------ workloads

    /** Adds a workload; its thread runs whenever the machine runs. */
    public synchronized void addWorkload(Workload w) {
        if (state == RunState.SHUTDOWN) {
            throw new IllegalStateException("machine " + name + " is shut down");
        }
        w.attach(ram());
        workloads.add(w);
        vcpus.start(w);
    }

    public List<Workload> workloads() {
        return List.copyOf(workloads);
    }

    // ------------------------------------------------------------ run state

    public RunState state() {
        return state;
    }

    /** Hears every run-state change as (from, to), on the thread that made it. */
    public void onStateChange(java.util.function.BiConsumer<RunState, RunState> listener) {
        stateListeners.add(listener);
    }

    private void enter(RunState to) {
        RunState from = state;
        if (to != RunState.SHUTDOWN) {
            devicesFollow(from, to);
        }
        state = to;
        if (from != to) {
            for (var l : stateListeners) {
                l.accept(from, to);
            }
        }
    }

    /** Starts (or resumes) the workloads. */
    public synchronized void start() {
        checkUsable();
        enter(RunState.RUNNING);
        vcpus.resume();
    }

    /** What stopping the workloads is expected to take now (see {@link Vcpus#pauseEstimateNanos}). */
    public long pauseEstimateNanos() {
        return vcpus.pauseEstimateNanos();
    }

    /**
     * Stops the workloads and waits until they are parked, then enters {@code reason}
     * (PAUSED, FINISH_MIGRATE or POSTMIGRATE).
     */
    public synchronized void stop(RunState reason) {
        checkUsable();
        if (reason == RunState.RUNNING || reason == RunState.SHUTDOWN) {
            throw new IllegalArgumentException("not a stopped state: " + reason);
        }
        vcpus.pause();
        enter(reason);
    }

    /** Marks a machine that is not running as waiting for an incoming migration. */
    public synchronized void expectIncoming() {
        checkUsable();
        if (state.running()) {
            throw new IllegalStateException("machine " + name + " is running; an incoming migration needs a "
                    + "machine that has not started");
        }
        enter(RunState.INMIGRATE);
    }

    private void checkUsable() {
        if (state == RunState.SHUTDOWN) {
            throw new IllegalStateException("machine " + name + " is shut down");
        }
    }

    /** Stops the workloads for good, joins their threads and frees the RAM. */
    @Override
    public void close() {
        synchronized (this) {
            if (state == RunState.SHUTDOWN) {
                return;
            }
            for (RamBlock b : ram) { // a worker waiting for a post-copy page would never park
                io.godwit.ram.IncomingPages in = b.incoming();
                if (in != null) {
                    in.lose("machine " + name + " is shutting down");
                }
            }
            vcpus.pause(); // every worker parks between steps...
            enter(RunState.SHUTDOWN);
        }
        vcpus.shutdown(); // ...and then leaves its loop
        for (RamBlock b : ram) {
            b.close();
        }
        for (BlockDevice d : disks) {
            try {
                d.close();
            } catch (java.io.IOException ignored) {
                // closing anyway
            }
        }
    }
}
