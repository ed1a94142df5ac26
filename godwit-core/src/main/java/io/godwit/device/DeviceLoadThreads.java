package io.godwit.device;

import io.godwit.multifd.DeviceStatePacket;
import io.godwit.multifd.DeviceStateSink;
import io.godwit.savevm.HandlerRegistry;
import io.godwit.savevm.SaveStateEntry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The destination's device load threads for one incoming migration (QEMU 10.0
 * qemu_loadvm_start_load_thread and the wait for them in qemu_loadvm_state): it routes the
 * channels' device state packets to their devices, and the incoming thread waits here, once the
 * main stream has ended, until every device that takes its state on the channels has loaded it.
 * The first failure of one fails the migration with its message.
 */
public final class DeviceLoadThreads implements DeviceStateSink, AutoCloseable {
    /** How often the wait looks at the channels, whose failures and ends do not wake it. */
    private static final long POLL_MS = 50;

    private final HandlerRegistry registry;
    private final List<DeviceHandler> devices;
    private final List<MultifdDeviceLoad> loads = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    /** Attaches to {@code devices}, whose handlers create their loads here at load setup. */
    public DeviceLoadThreads(HandlerRegistry registry, List<DeviceHandler> devices) {
        this.registry = registry;
        this.devices = List.copyOf(devices);
        this.devices.forEach(d -> d.incomingLoads(this));
    }

    MultifdDeviceLoad newLoad(MigratableDevice device) {
        MultifdDeviceLoad l = new MultifdDeviceLoad(device, this);
        loads.add(l);
        return l;
    }

    @Override
    public void deliver(DeviceStatePacket header, byte[] data, String where) throws IOException, InterruptedException {
        SaveStateEntry e = registry.find(header.idstr(), header.instanceId());
        if (e == null) {
            throw new IOException(where + ": device state for '" + header.idstr() + "' instance "
                    + header.instanceId() + "; expected a device registered here");
        }
        if (!(e.handler() instanceof DeviceHandler d) || d.multifdLoad() == null) {
            throw new IOException(where + ": device state for '" + header.idstr() + "', which does not take its"
                    + " state on multifd channels here (multifd-transfer)");
        }
        d.multifdLoad().offer(data, where);
    }

    /**
     * Waits until every load has finished. Throws the first load's failure, {@code channels}'
     * failure, or, once {@code channelsEnded}, a load still missing buffers.
     */
    public void awaitAll(Supplier<IOException> channels, BooleanSupplier channelsEnded)
            throws IOException, InterruptedException {
        synchronized (lock) {
            while (true) {
                boolean ended = channelsEnded.getAsBoolean();
                boolean all = true;
                for (MultifdDeviceLoad l : loads) {
                    if (!l.started()) {
                        throw new IOException(l.name() + ": the main stream ended without its stop-copy section");
                    }
                    String p = l.problem(ended);
                    if (p != null) {
                        throw new IOException(p);
                    }
                    all &= l.finished();
                }
                if (all) {
                    return;
                }
                IOException c = channels.get();
                if (c != null) {
                    throw new IOException(c.getMessage(), c);
                }
                lock.wait(POLL_MS);
            }
        }
    }

    /** A load finished or failed: the wait looks again. */
    void changed() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** How many load threads were started for this migration. */
    public int threadsStarted() {
        return (int) loads.stream().filter(MultifdDeviceLoad::started).count();
    }

    /** Stops the loads that have not finished, waits for their threads, and detaches from the devices. */
    @Override
    public void close() {
        loads.forEach(MultifdDeviceLoad::abort);
        devices.forEach(d -> d.incomingLoads(null));
    }
}
