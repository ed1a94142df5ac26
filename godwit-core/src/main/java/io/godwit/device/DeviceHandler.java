package io.godwit.device;

import static io.godwit.stream.StreamConstants.*;

import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveVmHandler;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import io.godwit.trace.DevicePendingEvent;
import io.godwit.trace.Trace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Migrates a {@link MigratableDevice} as QEMU's hw/vfio/migration.c migrates a VFIO device: the
 * device enters PRE_COPY at setup and hands out its initial then dirty data one buffer per
 * iteration, goes to STOP_COPY when the machine stops and hands out the rest, and is resumed on
 * the destination. The wire uses VFIO's markers ({@link DeviceRecordReader} has the layout, and
 * reads the records for the destination here). What it reports as pending depends on its
 * {@link PendingPolicy}.
 */
public final class DeviceHandler implements SaveVmHandler {
    public static final int VERSION = 1;
    /** A device's section is its id followed by this, as QEMU names VFIO sections ("0000:00:02.0/vfio"). */
    public static final String IDSTR_SUFFIX = "/vfio";
    /** One read of the data stream per iteration, as QEMU's VFIO_MIG_DEFAULT_DATA_BUFFER_SIZE. */
    static final int DATA_BUFFER = 1 << 20;

    private final MigratableDevice device;
    private final PendingPolicy policy;
    private final AtomicLong transferred = new AtomicLong();
    private volatile long lastInitial;
    private volatile long lastDirty;
    private volatile long lastLoadNanos;
    private volatile MultifdTransfer multifdTransfer = MultifdTransfer.OFF;
    private volatile DeviceStateChannels sendChannels; // set by the migration while multifd channels are open
    private volatile DeviceLoadThreads incomingLoads; // set by the incoming migration while it runs
    private volatile MultifdDeviceLoad load; // with multifd transfer, the destination's load of this migration
    private MultifdDeviceSave multifdSave; // the migration thread's
    private boolean multifdInUse; // the migration thread's

    // Source state: the migration thread's.
    private SaveContext save;
    private ByteBuffer buffer;
    private long initial;
    private long dirty;
    private boolean initialDataSent;
    private long destinationBusyUntil; // when the destination will have loaded what was sent (cost-aware)

    public DeviceHandler(MigratableDevice device, PendingPolicy policy) {
        this.device = device;
        this.policy = policy;
    }

    public MigratableDevice device() {
        return device;
    }

    public PendingPolicy policy() {
        return policy;
    }

    /** Whether stop-copy state goes on the multifd channels; set on both sides alike, before a migration. */
    public DeviceHandler multifdTransfer(MultifdTransfer t) {
        this.multifdTransfer = java.util.Objects.requireNonNull(t);
        return this;
    }

    public MultifdTransfer multifdTransfer() {
        return multifdTransfer;
    }

    /** The multifd channels a save thread sends on (null: none open). */
    public void sendChannels(DeviceStateChannels c) {
        this.sendChannels = c;
    }

    void incomingLoads(DeviceLoadThreads loads) {
        this.incomingLoads = loads;
    }

    MultifdDeviceLoad multifdLoad() {
        return load;
    }

    /** idstr of this handler's section, as registered and named in device state packets. */
    public String idstr() {
        return device.id() + IDSTR_SUFFIX;
    }

    /** Device data bytes sent by the last or current migration. */
    public long transferred() {
        return transferred.get();
    }

    public long lastInitialBytes() {
        return lastInitial;
    }

    public long lastDirtyBytes() {
        return lastDirty;
    }

    public long lastLoadNanos() {
        return lastLoadNanos;
    }

    @Override
    public boolean hasState() {
        return true; // the configuration goes in a FULL section, as VFIO's config space does
    }

    @Override
    public boolean isActiveIterate() {
        return device.state().isPrecopy();
    }

    private boolean ackInUse(boolean capabilityOn) {
        return capabilityOn && policy == PendingPolicy.SWITCHOVER_ACK;
    }

    // ---------------------------------------------------------------- source

    @Override
    public void saveSetup(SaveContext ctx) throws IOException {
        save = ctx;
        transferred.set(0);
        try {
            multifdInUse = multifdTransfer.inUse(ctx.capabilities(), device.id());
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (multifdInUse && sendChannels == null) {
            throw new IOException("device " + device.id() + ": multifd-transfer needs the multifd channels open");
        }
        initialDataSent = false;
        destinationBusyUntil = ctx.clock().nanoTime();
        buffer = ByteBuffer.allocateDirect(DATA_BUFFER);
        StreamOutput out = ctx.out();
        out.putBe64(DEV_SETUP_STATE);
        initial = 0;
        dirty = 0;
        if (device.state() == DeviceState.RUNNING && device.precopySupported()) {
            device.setState(DeviceState.PRE_COPY);
            PrecopyInfo info = device.precopyInfo();
            initial = info.initialBytes();
            dirty = info.dirtyBytes();
        } else if (device.state() != DeviceState.STOP && device.state() != DeviceState.RUNNING) {
            throw new IOException("device " + device.id() + " cannot start migrating from state " + device.state());
        }
        out.putBe64(DEV_END_OF_STATE);
    }

    @Override
    public void pendingEstimate(long thresholdSize, Pending pending) {
        if (device.state().isPrecopy()) {
            report(false, thresholdSize, pending);
        }
    }

    @Override
    public void pendingExact(long thresholdSize, Pending pending) {
        if (device.state().isPrecopy()) {
            PrecopyInfo info = device.precopyInfo();
            initial = info.initialBytes();
            dirty = info.dirtyBytes();
            report(true, thresholdSize, pending);
        } else {
            pending.addMustPrecopy(device.stopCopySize());
        }
    }

    private void report(boolean exact, long threshold, Pending pending) {
        long must = initial + dirty;
        long load = 0;
        switch (policy) {
            case LEGACY, SWITCHOVER_ACK -> { }
            case THRESHOLD -> {
                if (initial > 0) {
                    must = Math.max(must, threshold + 1); // keeps the loop in pre-copy
                }
            }
            case COST_AWARE -> load = device.loadNanos(must)
                    + Math.max(0, destinationBusyUntil - save.clock().nanoTime());
        }
        pending.addMustPrecopy(must);
        pending.addLoadNanos(load);
        lastInitial = initial;
        lastDirty = dirty;
        lastLoadNanos = load;
        if (Trace.active()) {
            DevicePendingEvent e = new DevicePendingEvent();
            e.device = device.id();
            e.policy = policy.qmpName;
            e.exact = exact;
            e.initialBytes = initial;
            e.dirtyBytes = dirty;
            e.mustPrecopy = must;
            e.loadNanos = load;
            e.thresholdSize = threshold;
            e.commit();
        }
    }

    @Override
    public boolean saveLiveIterate(SaveContext ctx) throws IOException {
        StreamOutput out = ctx.out();
        int n = sendBlock(out);
        if (n == 0) {
            initial = 0;
            dirty = 0;
        } else {
            long fromInitial = Math.min(initial, n);
            initial -= fromInitial;
            dirty -= Math.min(dirty, n - fromInitial);
        }
        if (ackInUse(ctx.capabilities().has(Capability.SWITCHOVER_ACK)) && initial == 0 && !initialDataSent) {
            out.putBe64(DEV_INIT_DATA_SENT);
            initialDataSent = true;
        } else {
            out.putBe64(DEV_END_OF_STATE);
        }
        return initial == 0 && dirty == 0;
    }

    /** One read of the data stream as a DATA record; returns its size (0: nothing now, or the end). */
    private int sendBlock(StreamOutput out) throws IOException {
        buffer.clear();
        int n = device.read(buffer);
        if (n > 0) {
            buffer.flip();
            out.putBe64(DEV_DATA_STATE);
            out.putBe64(n);
            out.putSegment(java.lang.foreign.MemorySegment.ofBuffer(buffer), 0, n);
            transferred.addAndGet(n);
            long now = save.clock().nanoTime();
            destinationBusyUntil = Math.max(destinationBusyUntil, now) + device.loadNanos(n);
        }
        return n;
    }

    @Override
    public void saveLiveCompletePrecopy(SaveContext ctx) throws IOException {
        if (device.state() != DeviceState.STOP_COPY) {
            device.setState(DeviceState.STOP_COPY);
        }
        if (multifdInUse) { // the state goes on the channels from a thread; the main stream gets the marker
            multifdSave = new MultifdDeviceSave(device, idstr(), sendChannels, transferred);
            multifdSave.start();
            ctx.out().putBe64(DEV_END_OF_STATE);
            lastInitial = 0;
            lastDirty = 0;
            return;
        }
        while (sendBlock(ctx.out()) > 0) {
            // the rest of the state, until the device says it is all out
        }
        ctx.out().putBe64(DEV_END_OF_STATE);
        lastInitial = 0;
        lastDirty = 0;
    }

    @Override
    public void saveState(SaveContext ctx) throws IOException {
        if (multifdSave != null) { // the configuration went last on the channels
            // the destination starts loading at this device's END section: it must have it before the
            // channels fill up and hold back the save threads
            ctx.out().flush();
            try {
                multifdSave.join();
                sendChannels.awaitWritten(); // the migration may end as soon as the main stream does
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while device " + device.id() + " sent its state", e);
            }
            ctx.out().putBe64(DEV_END_OF_STATE);
            return;
        }
        byte[] config = device.describe().getBytes(StandardCharsets.UTF_8);
        StreamOutput out = ctx.out();
        out.putBe64(DEV_CONFIG_STATE);
        out.putBe32(config.length);
        out.putBytes(config);
        out.putBe64(DEV_END_OF_STATE);
    }

    @Override
    public void saveCleanup() {
        if (multifdSave != null) {
            multifdSave.abandon(); // after a failure it may still be sending; it stops before the state changes
            multifdSave = null;
        }
        DeviceState s = device.state();
        if (s == DeviceState.STOP_COPY) {
            device.setState(DeviceState.STOP); // after completion, so it is not in the downtime
        } else if (s.isPrecopy()) {
            device.setState(DeviceState.RUNNING); // the migration failed before the stop
        }
        buffer = null;
        save = null;
    }

    // ----------------------------------------------------------- destination

    @Override
    public void loadSetup(LoadContext ctx) throws IOException {
        if (device.state() == DeviceState.RESUMING || device.state() == DeviceState.ERROR) {
            device.reset(); // left over from a failed load
        }
        device.setState(DeviceState.RESUMING);
        boolean inUse;
        try {
            inUse = multifdTransfer.inUse(ctx.capabilities(), device.id());
        } catch (IllegalStateException e) {
            throw new IOException(e.getMessage(), e);
        }
        DeviceLoadThreads loads = incomingLoads;
        if (inUse && loads == null) {
            throw new IOException("device " + device.id() + ": multifd-transfer needs an incoming migration with "
                    + "multifd channels");
        }
        load = inUse ? loads.newLoad(device) : null;
    }

    @Override
    public void loadState(LoadContext ctx, int versionId) throws IOException {
        if (ctx.sectionType() == SECTION_FULL) {
            loadFull(ctx);
            return;
        }
        StreamInput in = ctx.in();
        DeviceRecordReader reader = new DeviceRecordReader("device " + device.id());
        DeviceRecord r;
        do {
            r = reader.next(in);
            switch (r) {
                case DeviceRecord.Data d -> loadData(in, d.size());
                case DeviceRecord.Config c -> checkConfig(c);
                case DeviceRecord.InitDataSent i -> {
                    if (!ackInUse(ctx.capabilities().has(Capability.SWITCHOVER_ACK))) {
                        throw new StreamFormatException("device " + device.id() + ": INIT_DATA_SENT but "
                                + "switchover-ack is not in use here", i.at());
                    }
                    ctx.approveSwitchover();
                }
                case DeviceRecord.End e -> { }
                case DeviceRecord.Setup e -> { }
            }
        } while (!r.last());
        MultifdDeviceLoad l = load;
        if (l != null && ctx.sectionType() == SECTION_END) {
            l.start(); // the main stream has brought all pre-copy data: the buffers on the channels follow it
        }
    }

    private void checkConfig(DeviceRecord.Config c) throws StreamFormatException {
        if (!c.description().equals(device.describe())) {
            throw new StreamFormatException("device " + device.id() + ": configuration differs: source '"
                    + c.description() + "', here '" + device.describe() + "'", c.at());
        }
    }

    /** The FULL section: the configuration, or with multifd transfer only END_OF_STATE (it comes on the channels). */
    private void loadFull(LoadContext ctx) throws IOException {
        DeviceRecord r = new DeviceRecordReader("device " + device.id()).next(ctx.in());
        boolean multifd = load != null;
        if (r instanceof DeviceRecord.Config c && !multifd) {
            checkConfig(c);
        } else if (!(r instanceof DeviceRecord.End && multifd)) {
            throw new StreamFormatException("device " + device.id() + ": FULL section with "
                    + r.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT) + "; expected "
                    + (multifd ? "END_OF_STATE: multifd-transfer is in use here, so the configuration comes last on "
                            + "the multifd channels" : "CONFIG: multifd-transfer is not in use here"), r.at());
        }
    }

    private void loadData(StreamInput in, long size) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(size, DATA_BUFFER));
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(left, chunk.capacity());
            chunk.clear().limit(n);
            in.getBytes(chunk.array(), 0, n);
            device.write(chunk);
            left -= n;
        }
    }

    @Override
    public boolean switchoverAckNeeded() {
        return policy == PendingPolicy.SWITCHOVER_ACK;
    }
}
