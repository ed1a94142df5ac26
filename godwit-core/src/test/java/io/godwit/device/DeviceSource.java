package io.godwit.device;

import io.godwit.clock.VirtualClock;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Bytes;
import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.util.Arrays;

/** A DeviceHandler on the source side, writing into memory, on virtual time. */
final class DeviceSource {
    static final Capabilities ACK = Capabilities.of(Capability.RETURN_PATH, Capability.SWITCHOVER_ACK);

    final DeviceHandler handler;
    final VirtualClock clock = new VirtualClock();
    final SaveContext ctx;
    private final Bytes.Sink sink = Bytes.sink();
    private final StreamOutput out;
    private int taken;

    DeviceSource(MigratableDevice device, PendingPolicy policy, Capabilities caps) throws IOException {
        this(new DeviceHandler(device, policy), caps);
    }

    DeviceSource(MigratableDevice device, PendingPolicy policy) throws IOException {
        this(device, policy, Capabilities.defaults());
    }

    DeviceSource(DeviceHandler handler, Capabilities caps) throws IOException {
        this.handler = handler;
        out = new StreamOutput(sink);
        ctx = new SaveContext(out, clock, caps, new MigrationCounters(), () -> false);
    }

    /** The bytes written since the last call. */
    byte[] take() throws IOException {
        out.flush();
        byte[] all = sink.toByteArray();
        byte[] fresh = Arrays.copyOfRange(all, taken, all.length);
        taken = all.length;
        return fresh;
    }

    byte[] setup() throws IOException {
        handler.saveSetup(ctx);
        return take();
    }

    byte[] iterate() throws IOException {
        handler.saveLiveIterate(ctx);
        return take();
    }

    byte[] complete() throws IOException {
        handler.saveLiveCompletePrecopy(ctx);
        return take();
    }

    byte[] state() throws IOException {
        handler.saveState(ctx);
        return take();
    }

    Pending exact(long threshold) {
        Pending p = new Pending();
        handler.pendingExact(threshold, p);
        return p;
    }

    Pending estimate(long threshold) {
        Pending p = new Pending();
        handler.pendingEstimate(threshold, p);
        return p;
    }
}
