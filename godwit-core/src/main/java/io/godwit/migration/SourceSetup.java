package io.godwit.migration;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.ram.RamBlock;
import io.godwit.ram.XbzrleSender;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.StateSaver;
import io.godwit.stats.Counter;
import io.godwit.stream.Command;
import io.godwit.stream.Configuration;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.PostcopyAdvise;
import io.godwit.stream.StreamConstants;
import io.godwit.stream.StreamOutput;
import io.godwit.transport.Connection;
import java.io.IOException;

/**
 * The source's setup on the migration thread (QEMU migration.c, qemu_savevm_state_setup): open the
 * connection and the channels, write the header and the commands that must precede the state,
 * and give every handler its setup, before the first bandwidth window opens.
 */
final class SourceSetup {
    private static final int CONFIRM_PING = 1;

    private final Migration m;

    SourceSetup(Migration m) {
        this.m = m;
    }

    StateSaver run() throws IOException {
        Capabilities caps = m.capabilities();
        Clock clock = m.clock();
        Machine machine = m.machine();
        SourceTrace.settings(m.parameters(), caps);
        Connection conn = m.channels.connect(m.opener());
        if (m.point.cancelled()) {
            throw new Migration.CancelledException();
        }
        boolean postcopyRam = caps.has(Capability.POSTCOPY_RAM);
        if ((caps.has(Capability.RETURN_PATH) || postcopyRam) && !conn.bidirectional()) {
            throw new IOException("capability '" + (postcopyRam ? "postcopy-ram" : "return-path")
                    + "' needs a bidirectional channel; " + conn.uri() + " is one-way");
        }
        StreamOutput out = m.channels.startStream();
        m.accounting = new SwitchAccounting(machine, m.switchHistory());
        if (caps.has(Capability.MULTIFD)) {
            m.channels.openMultifd(m.opener(), m.multifdParameters(), m.point::cancelled, machine);
        }
        if (caps.has(Capability.XBZRLE)) {
            m.xbzrle = new XbzrleSender(m.xbzrleParameters().cacheSize(), m.counters());
            machine.ramHandler().setXbzrle(m.xbzrle);
        }
        m.bandwidth.restart(clock.nanoTime(), 0);
        SaveContext ctx = new SaveContext(out, clock, caps, m.counters(), m::rateExceeded);
        StateSaver saver = new StateSaver(machine.registry(), new MigrationStreamWriter(out), ctx);
        saver.header(Configuration.of(machine.machineType()));
        if (caps.has(Capability.RETURN_PATH) || postcopyRam) { // post-copy needs it, as in QEMU
            openReturnPath(saver, conn);
        }
        if (postcopyRam) { // the destination refuses early if it cannot do post-copy
            saver.writer().command(new PostcopyAdvise(RamBlock.PAGE_SIZE, StreamConstants.TARGET_PAGE_SIZE).toCommand());
        }
        saver.setup();
        out.flush();
        m.checkPass();
        m.times.setupDone(clock.nanoTime());
        m.bandwidth.restart(clock.nanoTime(), m.channels.sent());
        m.throttleControl().start(clock.nanoTime(), m.channels.sent(), m.counters().get(Counter.DIRTY_PAGES_SYNCED));
        return saver;
    }

    private void openReturnPath(StateSaver saver, Connection conn) throws IOException {
        saver.writer().command(Command.openReturnPath());
        SourceReturnPath returnPath = m.channels.openReturnPath(m.clock(), m.thread());
        LinkProbe probe = new LinkProbe(m.clock());
        returnPath.linkProbe(probe);
        m.accounting.probeWith(probe);
        returnPath.start();
        if (conn.peerMayRefuseAfterOpen()) {
            confirmChannel(saver, returnPath);
        }
    }

    /** The destination answers a PING once it has accepted the channel (a TLS certificate check). */
    private void confirmChannel(StateSaver saver, SourceReturnPath returnPath) throws IOException {
        saver.writer().command(Command.ping(CONFIRM_PING));
        m.out().flush();
        try {
            returnPath.awaitPong(m.point::cancelled);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the destination to accept the channel", e);
        }
    }
}
