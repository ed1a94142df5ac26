package io.godwit.migration;

import static io.godwit.stream.StreamConstants.MAX_PACKAGED_SIZE;
import static io.godwit.stream.StreamConstants.PING_AFTER_DISCARD;
import static io.godwit.stream.StreamConstants.PING_AFTER_PACKAGE;
import static io.godwit.stream.StreamConstants.PING_IN_PACKAGE;
import static io.godwit.stream.StreamConstants.PING_PACKAGED_LOADED;

import io.godwit.ram.PageRequestQueue;
import io.godwit.ram.RamHandler;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveStateEntry;
import io.godwit.savevm.StateSaver;
import io.godwit.stream.Command;
import io.godwit.stream.MemorySink;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.StreamOutput;
import java.io.IOException;

/**
 * The source's side of the switch to post-copy (QEMU migration.c postcopy_start), with the
 * source already stopped: the handlers that cannot follow the switch complete, RAM sends the
 * discards for pages dirtied since they went, and the device state is wrapped in one PACKAGED
 * blob between POSTCOPY_LISTEN and POSTCOPY_RUN. The migration thread calls {@link #prepare},
 * passes its point of no return, then calls {@link #handOver}.
 */
final class PostcopySource {
    private final StateSaver saver;
    private final SourceReturnPath returnPath;
    private volatile PageRequestQueue requests;

    PostcopySource(StateSaver saver, SourceReturnPath returnPath) {
        this.saver = saver;
        this.returnPath = returnPath;
    }

    /**
     * Completes what cannot follow the switch, sends RAM's discards, and returns the package: LISTEN,
     * the FULL sections, PING 3, PING 0x42 (whose PONG says the device state loaded), RUN.
     *
     * @param wake runs on the return-path thread after each page request is queued
     */
    byte[] prepare(Runnable wake) throws IOException {
        MigrationStreamWriter w = saver.writer();
        saver.completeIterable(true);
        RamHandler ram = ram();
        if (ram != null) {
            requests = ram.startPostcopy(w, wake);
        }
        w.command(Command.ping(PING_AFTER_DISCARD));

        MemorySink sink = new MemorySink(MAX_PACKAGED_SIZE);
        StreamOutput pkgOut = new StreamOutput(sink);
        MigrationStreamWriter pw = new MigrationStreamWriter(pkgOut);
        SaveContext main = saver.context();
        SaveContext pkg = new SaveContext(pkgOut, main.clock(), main.capabilities(), main.counters(), () -> false);
        pw.command(Command.postcopyListen());
        saver.completeNonIterable(pw, pkg);
        pw.command(Command.ping(PING_IN_PACKAGE));
        pw.command(Command.ping(PING_PACKAGED_LOADED));
        pw.command(Command.postcopyRun());
        pkgOut.flush();
        return sink.toByteArray();
    }

    /** Sends the package: from here the destination may run. Page requests are taken from now on. */
    void handOver(byte[] pkg) throws IOException {
        PageRequestQueue q = requests;
        if (q != null) {
            returnPath.acceptPageRequests(r -> q.add(r.block(), r.start(), r.length()));
        }
        MigrationStreamWriter w = saver.writer();
        w.packaged(pkg);
        w.command(Command.ping(PING_AFTER_PACKAGE));
        w.out().flush();
        saver.context().enterPostcopy();
    }

    /** True while a requested page waits to be sent: it is not held back by the rate limit. */
    boolean hasRequests() {
        PageRequestQueue q = requests;
        return q != null && q.hasRequests();
    }

    /** RAM, when it follows the switch; null otherwise (then no page is ever requested). */
    private RamHandler ram() {
        for (SaveStateEntry e : saver.entries()) {
            if (e.handler() instanceof RamHandler r && r.isActive() && r.hasPostcopy()) {
                return r;
            }
        }
        return null;
    }
}
