package io.godwit.migration;

import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.ram.DirtyTracker;
import io.godwit.ram.IncomingPages;
import io.godwit.ram.RamBlock;
import io.godwit.ram.RamHandler;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveStateEntry;
import io.godwit.savevm.StateLoader;
import io.godwit.stream.ByteArraySource;
import io.godwit.stream.ByteSource;
import io.godwit.stream.Command;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.PostcopyAdvise;
import io.godwit.stream.RamDiscard;
import io.godwit.stream.RecvBitmap;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.ReturnPathWriter;
import io.godwit.transport.Connection;
import io.godwit.stream.StreamConstants;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The destination's side of post-copy (QEMU savevm.c loadvm_postcopy_handle_*, postcopy-ram.c):
 * ADVISE starts tracking which pages arrive, discards mark stale pages missing, and the package is
 * read whole and loaded on the incoming thread while, from its POSTCOPY_LISTEN on, a listen thread
 * takes over the main stream and keeps placing pages. POSTCOPY_RUN starts the machine; from then
 * an access to a page that has not arrived asks the source for it and waits ({@link IncomingPages}).
 */
final class PostcopyDestination {
    /** QEMU's PostcopyState on the destination, by name. */
    enum State { NONE, ADVISE, DISCARD, LISTENING, RUNNING, END }

    private final Machine machine;
    private final StateLoader loader;
    private final Capabilities caps;
    private final StateLoader.CommandListener fallback;
    private final Runnable onListen;
    private final PageRequester requester;
    private final PageWaits waits;
    private final Host host;
    private volatile CountDownLatch listenDone = new CountDownLatch(1);
    private volatile boolean recovering; // between migrate-recover's connection and POSTCOPY_RESUME
    private volatile State state = State.NONE;
    private volatile StateLoader.Result result;
    private volatile Throwable listenFailure;
    private volatile Thread listenThread;
    private volatile long pagesAtListen;
    private volatile long postcopyPages = -1; // fixed at the end
    private final PreemptChannel preempt; // used with postcopy-preempt only

    /** What the incoming migration does for a post-copy that pauses and recovers. */
    interface Host {
        /** The link broke in post-copy: status postcopy-paused; the connection is dropped. */
        void paused();

        /** Waits for migrate-recover's connection; throws if the migration is given up instead. */
        Connection awaitRecover() throws IOException, InterruptedException;

        /**
         * The new connection carries the stream and the return path: status postcopy-recover.
         * Returns what the listen thread reads: the connection's input, under the read timeout.
         */
        ByteSource recovering(Connection c) throws IOException;

        /** POSTCOPY_RESUME came: status postcopy-active (on the listen thread). */
        void resumed();

        /** The current return path, or null. */
        ReturnPathWriter returnPath();

        /** Breaks the main connection (the preempt channel failed): post-copy pauses or fails as for it. */
        void breakLink();
    }

    /**
     * @param fallback handles the commands of a package that are not post-copy's own (PING)
     * @param onListen runs on the incoming thread at POSTCOPY_LISTEN (the status change)
     */
    PostcopyDestination(Machine machine, StateLoader loader, Capabilities caps, PageRequester requester,
            StateLoader.CommandListener fallback, Runnable onListen, Host host, PreemptChannel preempt) {
        this.preempt = preempt;
        this.machine = machine;
        this.loader = loader;
        this.caps = caps;
        this.requester = requester;
        this.fallback = fallback;
        this.onListen = onListen;
        this.host = host;
        this.waits = new PageWaits(caps.has(Capability.POSTCOPY_BLOCKTIME));
    }

    State state() {
        return state;
    }

    /** True once the listen thread owns the main stream. */
    boolean listening() {
        return listenThread != null;
    }

    // ------------------------------------------------------------ main stream commands

    /** ADVISE, RAM_DISCARD, PACKAGED; false for a command that is not post-copy's. */
    boolean onCommand(Command c, long at, MigrationStreamReader main) throws IOException {
        switch (c.type()) {
            case POSTCOPY_ADVISE -> advise(c, at);
            case POSTCOPY_RAM_DISCARD -> discard(c, at);
            case PACKAGED -> packaged(c, at, main);
            case POSTCOPY_LISTEN, POSTCOPY_RUN -> throw new StreamFormatException(c.type()
                    + " outside a package; expected it inside PACKAGED", at);
            case RECV_BITMAP -> recvBitmap(c, at);
            case POSTCOPY_RESUME -> resume(at);
            default -> {
                return false;
            }
        }
        return true;
    }

    private void advise(Command c, long at) throws IOException {
        expect(c, at, State.NONE);
        PostcopyAdvise a = PostcopyAdvise.of(c, at);
        boolean ramHere = caps.has(Capability.POSTCOPY_RAM);
        if (a == null) {
            if (ramHere) {
                throw new StreamFormatException("RAM postcopy is enabled but have 0 byte advise", at);
            }
            return;
        }
        if (!ramHere) {
            throw new StreamFormatException("RAM postcopy is disabled but have 16 byte advise; expected capability "
                    + "'postcopy-ram' on here too", at);
        }
        if (a.hostPageSizes() != RamBlock.PAGE_SIZE) {
            throw new StreamFormatException(String.format("Postcopy needs matching RAM page sizes (s=%x d=%x)",
                    a.hostPageSizes(), RamBlock.PAGE_SIZE), at);
        }
        if (a.targetPageSize() != StreamConstants.TARGET_PAGE_SIZE) {
            throw new StreamFormatException(String.format("Postcopy needs matching target page sizes (s=%d d=%d)",
                    a.targetPageSize(), StreamConstants.TARGET_PAGE_SIZE), at);
        }
        for (RamBlock b : machine.ram()) {
            if (b.tracker() != DirtyTracker.EXPLICIT) { // its memory is written without the block's methods
                throw new StreamFormatException("RAM block '" + b.name() + "' is written directly (dirty tracker '"
                        + b.tracker().name() + "'): a plain memory access cannot wait for a page post-copy has not "
                        + "brought yet; expected every block accessed through its methods", at);
            }
        }
        ram().trackIncoming();
        state = State.ADVISE;
    }

    private void discard(Command c, long at) throws IOException {
        if (state != State.ADVISE && state != State.DISCARD) {
            throw wrongState(c, at);
        }
        ram().discard(RamDiscard.of(c, at), at);
        state = State.DISCARD;
    }

    /**
     * Reads the package off the main stream, then loads it here; its LISTEN starts the listen
     * thread on the main stream, its RUN starts the machine and ends it (QEMU's LOADVM_QUIT).
     */
    private void packaged(Command c, long at, MigrationStreamReader main) throws IOException {
        byte[] pkg = main.readPackage(c, at);
        MigrationStreamReader pr = new MigrationStreamReader(new StreamInput(new ByteArraySource(pkg)));
        StateLoader[] inner = new StateLoader[1];
        LoadContext pctx = new LoadContext(pr.in(), caps, () -> {});
        inner[0] = loader.forPackage(pr, pctx, (pc, pat) -> onPackageCommand(pc, at, inner[0]));
        inner[0].loadPackage();
        if (state != State.RUNNING) {
            throw new StreamFormatException("the package of " + pkg.length + " bytes ended without POSTCOPY_RUN", at);
        }
    }

    /** Offsets in the package are reported at the PACKAGED command that carried it. */
    private void onPackageCommand(Command c, long at, StateLoader pkg) throws IOException {
        switch (c.type()) {
            case POSTCOPY_LISTEN -> listen(c, at);
            case POSTCOPY_RUN -> {
                run(c, at);
                pkg.handOff(); // anything after RUN in the package is not read, as in QEMU
            }
            case PACKAGED, POSTCOPY_ADVISE, POSTCOPY_RAM_DISCARD -> throw new StreamFormatException(c.type()
                    + " inside a package; expected it in the main stream", at);
            default -> fallback.onCommand(c, at);
        }
    }

    private void listen(Command c, long at) throws IOException {
        expect(c, at, State.ADVISE, State.DISCARD);
        if (caps.has(Capability.POSTCOPY_PREEMPT)) {
            try {
                preempt.start(ram(), host::breakLink);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the preempt channel", e);
            }
        }
        pagesAtListen = receivedPages();
        for (RamBlock b : machine.ram()) {
            IncomingPages in = b.incoming();
            if (in != null) {
                in.listen(requester::request, waits);
            }
        }
        state = State.LISTENING;
        onListen.run();
        loader.handOff(); // the incoming thread reads nothing more from the main stream
        startListening(null);
    }

    /** A listen thread on the main stream, or on {@code resumed}, the stream of a new connection. */
    private void startListening(MigrationStreamReader resumed) {
        CountDownLatch done = new CountDownLatch(1);
        listenFailure = null;
        listenDone = done;
        listenThread = Thread.ofPlatform().name("godwit-postcopy-listen").start(() -> {
            try {
                result = resumed == null ? loader.loadRest()
                        : loader.loadRest(resumed, new LoadContext(resumed.in(), caps, () -> {}));
            } catch (Throwable t) {
                listenFailure = t;
            } finally {
                done.countDown();
            }
        });
    }

    // ------------------------------------------------------------ recovery

    /** RECV_BITMAP (savevm.c loadvm_handle_recv_bitmap): answers with the block's received bitmap. */
    private void recvBitmap(Command c, long at) throws IOException {
        RecvBitmap r = RecvBitmap.of(c, at);
        if (!recovering) {
            throw new StreamFormatException("RECV_BITMAP: invalid state; expected it while recovering post-copy", at);
        }
        RamBlock b = machine.ram(r.block());
        if (b == null || b.incoming() == null) {
            throw new StreamFormatException("RECV_BITMAP: block '" + r.block() + "' not found", at);
        }
        host.returnPath().sendReceivedBitmap(b.name(), b.incoming().receivedWords(), b.pages());
    }

    /**
     * POSTCOPY_RESUME (loadvm_postcopy_handle_resume): post-copy goes on; the pages accesses wait
     * for are asked for again (their requests may have been lost with the link), then RESUME_ACK.
     */
    private void resume(long at) throws IOException {
        if (!recovering) {
            throw new StreamFormatException("POSTCOPY_RESUME: illegal resume received; expected it while "
                    + "recovering post-copy", at);
        }
        recovering = false;
        host.resumed();
        for (RamBlock b : machine.ram()) {
            IncomingPages in = b.incoming();
            if (in != null) {
                in.askAgain();
            }
        }
        host.returnPath().send(ReturnPathMessage.resumeAck(StreamConstants.RESUME_ACK_VALUE));
    }

    private void run(Command c, long at) throws IOException {
        expect(c, at, State.LISTENING);
        for (SaveStateEntry e : machine.registry().entries()) {
            e.handler().loadBeforePostcopyRun();
        }
        machine.start();
        state = State.RUNNING;
    }

    // ------------------------------------------------------------ the end

    /**
     * Waits for the listen thread to reach the stream's EOF; checks that every page arrived and
     * ends the tracking, so accesses stop checking.
     */
    StateLoader.Result awaitEnd() throws IOException, InterruptedException {
        while (true) {
            listenDone.await();
            Throwable t = listenFailure;
            Throwable p = preempt.failure();
            if (p != null && !SourceRecovery.linkBroken(p)) {
                t = p; // the preempt channel sent something refused: the migration fails, it does not pause
            }
            if (t == null) {
                t = drainPreempt();
                if (t == null) {
                    break;
                }
            }
            if (state != State.RUNNING || !SourceRecovery.linkBroken(t)) {
                throw t instanceof IOException e ? e
                        : new IOException(t.getMessage() != null ? t.getMessage() : t.toString(), t);
            }
            // the link broke while the machine runs: wait for migrate-recover, keep the waits waiting;
            // the preempt channel is given up (it broke, or breaks with the main link): the source
            // sends requested pages on the main stream once resumed
            preempt.close();
            host.paused();
            Connection c = host.awaitRecover();
            ByteSource input = host.recovering(c);
            requester.forgetLastBlock();
            recovering = true;
            startListening(new MigrationStreamReader(new StreamInput(input)));
        }
        long missing = missingPages();
        if (missing > 0) {
            throw new IOException("post-copy ended with " + missing + " pages never sent");
        }
        postcopyPages = receivedPages() - pagesAtListen;
        state = State.END;
        for (RamBlock b : machine.ram()) {
            b.endIncoming();
        }
        return result;
    }

    /**
     * The main stream has ended: requested pages may still be on their way on the preempt channel.
     * A QEMU 7.2 or Godwit source ends that channel with EOS; QEMU 8+ sends none, and its
     * destination shuts the channel down once no requested page is outstanding. So: wait until the
     * preempt thread ends or every page is here (bounded), then give the channel up. Returns why
     * the channel failed if it sent something refused, else null.
     */
    private Throwable drainPreempt() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PreemptChannel.DRAIN_MS);
        while (preempt.running() && missingPages() > 0 && System.nanoTime() - deadline < 0) {
            preempt.await(10); // the last requested pages arrive within a few ms
        }
        Throwable p = preempt.failure();
        preempt.close();
        preempt.await();
        return p;
    }

    private long missingPages() {
        long missing = 0;
        for (RamBlock b : machine.ram()) {
            IncomingPages in = b.incoming();
            if (in != null) {
                missing += b.pages() - in.receivedPages();
            }
        }
        return missing;
    }

    /** The migration completed in pre-copy after an ADVISE: every page is here, accesses stop checking. */
    void endTracking() {
        for (RamBlock b : machine.ram()) {
            b.endIncoming();
        }
    }

    /**
     * Post-copy failed: accesses waiting for pages, and later ones, throw instead of waiting
     * forever; then the listen thread, if any, is waited for (the caller shut the connection down).
     */
    void abandon(String why) throws InterruptedException {
        preempt.close();
        for (RamBlock b : machine.ram()) {
            IncomingPages in = b.incoming();
            if (in != null) {
                in.lose(why);
            }
        }
        if (listenThread != null) {
            listenDone.await();
            loader.cleanup();
        }
    }

    // ------------------------------------------------------------ figures

    MigrationInfo.Postcopy info() {
        long pages = postcopyPages >= 0 ? postcopyPages : state.compareTo(State.LISTENING) >= 0
                ? receivedPages() - pagesAtListen : 0;
        return waits.info(-1, requester.requests(), pages * RamBlock.PAGE_SIZE,
                caps.has(Capability.POSTCOPY_PREEMPT) ? ram().preemptPagesLoaded() : -1);
    }

    private long receivedPages() {
        long n = 0;
        for (RamBlock b : machine.ram()) {
            IncomingPages in = b.incoming();
            if (in != null) {
                n += in.receivedPages();
            }
        }
        return n;
    }

    private RamHandler ram() {
        for (SaveStateEntry e : machine.registry().entries()) {
            if (e.handler() instanceof RamHandler r) {
                return r;
            }
        }
        throw new IllegalStateException("the machine has no RAM handler");
    }

    private void expect(Command c, long at, State... allowed) throws StreamFormatException {
        for (State s : allowed) {
            if (state == s) {
                return;
            }
        }
        throw wrongState(c, at);
    }

    private StreamFormatException wrongState(Command c, long at) {
        return new StreamFormatException("CMD_" + c.type() + " in wrong postcopy state (" + state.name().toLowerCase()
                + ")", at);
    }
}
