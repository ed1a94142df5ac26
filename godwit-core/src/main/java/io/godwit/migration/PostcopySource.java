package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;
import static io.godwit.stream.StreamConstants.MAX_PACKAGED_SIZE;
import static io.godwit.stream.StreamConstants.PING_AFTER_DISCARD;
import static io.godwit.stream.StreamConstants.PING_AFTER_PACKAGE;
import static io.godwit.stream.StreamConstants.PING_IN_PACKAGE;
import static io.godwit.stream.StreamConstants.PING_PACKAGED_LOADED;

import io.godwit.machine.RunState;
import io.godwit.options.Capability;
import io.godwit.ram.PageRequestQueue;
import io.godwit.ram.RamHandler;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.SaveStateEntry;
import io.godwit.savevm.StateSaver;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Command;
import io.godwit.stream.MemorySink;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.StreamOutput;
import io.godwit.trace.SwitchoverEvent;
import io.godwit.trace.Trace;
import io.godwit.transport.Connection;
import java.io.IOException;

/**
 * The source's post-copy (QEMU migration.c postcopy_start, the post-copy iterations,
 * migration_completion_postcopy), run on the migration thread with the migration's state. The
 * switch: the source stops, the handlers that cannot follow the switch complete, RAM sends the
 * discards for pages dirtied since they went, and the device state goes in one PACKAGED blob
 * between POSTCOPY_LISTEN and POSTCOPY_RUN. Then the handlers that followed the switch send the
 * rest, requested pages first, until nothing is pending. A broken link pauses the migration until
 * it is resumed ({@link SourceRecovery}).
 */
final class PostcopySource {
    private final Migration m;
    private final StateSaver saver;
    private final MigrationCounters counters;
    private volatile PageRequestQueue requests;
    private long stopStart;
    private long switchedBytes;
    private Connection preempt; // postcopy-preempt's channel; null without it, or after a pause

    PostcopySource(Migration m, StateSaver saver) {
        this.m = m;
        this.saver = saver;
        this.counters = m.counters();
    }

    /** The switch, the rest, the end; downtime runs from the stop to the destination's PONG 0x42. */
    void run() throws IOException, InterruptedException {
        try {
            openPreempt();
            switchAndFinish();
        } finally {
            dropPreempt();
        }
    }

    private void switchAndFinish() throws IOException, InterruptedException {
        SwitchoverEvent event = Trace.active() ? new SwitchoverEvent() : null;
        if (event != null) {
            event.begin();
        }
        stopStart = m.clock().nanoTime();
        m.switched(stopStart);
        long precopyBytes = m.out().bytesWritten();
        counters.set(Counter.PRECOPY_BYTES, precopyBytes);
        m.machine().stop(RunState.FINISH_MIGRATE);
        m.setStatus(DEVICE);
        Thread self = m.thread();
        byte[] pkg = prepare(() -> m.clock().wake(self));
        m.checkPass(); // RAM's last sync
        if (!m.passPointOfNoReturn()) {
            throw new Migration.CancelledException();
        }
        handOver(pkg);
        switchedBytes = m.out().bytesWritten();
        counters.set(Counter.TRANSFERRED, switchedBytes);
        counters.set(Counter.DOWNTIME_BYTES, switchedBytes - precopyBytes);
        m.restartWindow();
        m.setStatus(POSTCOPY_DEVICE);
        finish();
        m.machine().stop(RunState.POSTMIGRATE);
        m.setStatus(COMPLETED);
        if (event != null) {
            event.end();
            event.downtimeBytes = switchedBytes - precopyBytes;
            event.commit();
        }
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
    private void handOver(byte[] pkg) throws IOException {
        acceptPageRequests();
        MigrationStreamWriter w = saver.writer();
        w.packaged(pkg);
        w.command(Command.ping(PING_AFTER_PACKAGE));
        w.out().flush();
        saver.context().enterPostcopy();
    }

    /** Page requests of the current return path go to RAM's queue. */
    void acceptPageRequests() throws IOException {
        PageRequestQueue q = requests;
        if (q != null) {
            q.forgetLastBlock();
            m.returnPath().acceptPageRequests(r -> q.add(r.block(), r.start(), r.length()));
        }
    }

    /** Sends the rest and ends; a broken link pauses, and the sending goes on once resumed. */
    private void finish() throws IOException, InterruptedException {
        while (true) {
            try {
                iterate();
                saver.completePostcopy();
                endPreempt();
                counters.set(Counter.TRANSFERRED, m.out().bytesWritten());
                counters.set(Counter.POSTCOPY_BYTES, m.out().bytesWritten() - switchedBytes);
                int shut = m.returnPath().awaitShut(() -> false, m.returnPathTimeoutMs());
                destinationRunning();
                if (shut != 0) {
                    failedBeforeRunning();
                    throw new DestinationEnded("the destination failed in post-copy (SHUT status " + shut + ")");
                }
                if (m.status() == POSTCOPY_DEVICE) { // a destination that did not answer the package's PING
                    m.downtime(Math.max(0, (m.returnPath().shutNanos() - stopStart) / 1_000_000));
                    m.setStatus(POSTCOPY_ACTIVE);
                }
                return;
            } catch (IOException e) {
                if (m.status() != POSTCOPY_ACTIVE || !SourceRecovery.linkBroken(e)) {
                    throw e;
                }
                new SourceRecovery(m, saver, this).pauseAndResume(e);
            }
        }
    }

    /** Sends what followed the switch, requested pages first, until nothing is pending. */
    private void iterate() throws IOException {
        Pending pending = new Pending();
        while (true) {
            destinationRunning();
            SourceReturnPath rp = m.returnPath();
            boolean finished = rp.finished(); // before the status: a SHUT is recorded before the thread ends
            int shut = rp.shutSeenStatus();
            if (shut >= 0) { // before checkInterrupts, which would report it without the post-copy outcome
                failedBeforeRunning();
                throw new DestinationEnded("the destination ended the migration (SHUT status " + shut
                        + ") before every page was sent");
            }
            m.checkInterrupts();
            RamHandler ram = ram();
            IOException preemptBroke = ram != null ? ram.preemptBroken() : null;
            if (preemptBroke != null) { // as a broken main link: post-copy pauses
                throw new IOException("the preempt channel broke: " + preemptBroke.getMessage(), preemptBroke);
            }
            if (finished) { // no page request can reach us any more
                throw new IOException("the return path closed during post-copy");
            }
            if (!m.rateExceeded() || hasRequests()) {
                saver.pendingEstimate(0, pending, true);
                SourceTrace.pending(false, pending, 0);
                if (pending.total() == 0) {
                    return;
                }
                saver.iterate(true, true);
                counters.set(Counter.POSTCOPY_BYTES, m.out().bytesWritten() - switchedBytes);
            }
            long now = m.clock().nanoTime();
            m.updateWindow(now);
            if (m.rateExceeded() && !hasRequests()) {
                m.clock().park(m.windowEnd() - now); // a page request wakes us
            }
        }
    }

    /** postcopy-device -> postcopy-active once the destination has loaded the package. */
    private void destinationRunning() {
        long loaded = m.returnPath().packageLoadedNanos();
        if (loaded >= 0 && m.status() == POSTCOPY_DEVICE) {
            m.downtime(Math.max(0, (loaded - stopStart) / 1_000_000));
            m.setStatus(POSTCOPY_ACTIVE);
        }
    }

    /**
     * postcopy-preempt: the second connection, opened before the source stops as QEMU 8+ opens it
     * in postcopy_start; a refused one fails the migration before the point of no return.
     */
    private void openPreempt() throws IOException {
        RamHandler ram = ram();
        if (!m.capabilities().has(Capability.POSTCOPY_PREEMPT) || ram == null) {
            return;
        }
        Migration.Opener o = m.preemptOpener();
        if (o == null) {
            throw new IOException("postcopy-preempt: this migration has no way to open a second channel");
        }
        try {
            preempt = o.open();
        } catch (IOException e) {
            throw new IOException("postcopy-preempt: cannot open the preempt channel: " + e.getMessage(), e);
        }
        ram.preemptChannel(new StreamOutput(preempt.output()));
    }

    /** The end of post-copy on the preempt channel (postcopy_preempt_shutdown_file): EOS. */
    private void endPreempt() throws IOException {
        RamHandler ram = ram();
        if (preempt != null && ram != null) {
            ram.endPreempt();
        }
    }

    /**
     * Closes the preempt channel: at the end, or at a pause, after which requested pages go on the
     * main stream (a resumed post-copy goes on without the preempt channel).
     */
    void dropPreempt() {
        Connection c = preempt;
        preempt = null;
        if (c != null) {
            c.shutdown(); // first: a return-path thread blocked writing a page there gives up its lock
        }
        RamHandler ram = ram();
        if (ram != null) {
            ram.preemptChannel(null);
        }
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // it is given up either way
            }
        }
    }

    /** A destination that said SHUT(non-zero) before answering PING 0x42 never ran. */
    private void failedBeforeRunning() {
        SourceReturnPath rp = m.returnPath();
        if (rp.shutSeenStatus() > 0 && rp.packageLoadedNanos() < 0) {
            m.destinationFailedBeforeRunning();
        }
    }

    /** True while a requested page waits to be sent: it is not held back by the rate limit. */
    private boolean hasRequests() {
        PageRequestQueue q = requests;
        return q != null && q.hasRequests();
    }

    /** RAM, when it follows the switch; null otherwise (then no page is ever requested). */
    RamHandler ram() {
        for (SaveStateEntry e : saver.entries()) {
            if (e.handler() instanceof RamHandler r && r.isActive() && r.hasPostcopy()) {
                return r;
            }
        }
        return null;
    }

    /** The destination ended the migration itself: not a broken link, so nothing to resume. */
    static final class DestinationEnded extends IOException {
        DestinationEnded(String message) {
            super(message);
        }
    }
}
