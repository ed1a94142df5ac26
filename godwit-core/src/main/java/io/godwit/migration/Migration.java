package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.multifd.MultifdSender;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.MultifdParameters;
import io.godwit.options.Parameters;
import io.godwit.options.XbzrleParameters;
import io.godwit.ram.XbzrleSender;
import io.godwit.savevm.Pending;
import io.godwit.savevm.SaveContext;
import io.godwit.savevm.StateSaver;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.Command;
import io.godwit.stream.Configuration;
import io.godwit.stream.PostcopyAdvise;
import io.godwit.stream.StreamConstants;
import io.godwit.ram.RamBlock;
import io.godwit.stream.MigrationStreamWriter;
import io.godwit.stream.StreamOutput;
import io.godwit.trace.BandwidthEvent;
import io.godwit.trace.PassEvent;
import io.godwit.trace.PendingEvent;
import io.godwit.trace.SettingsEvent;
import io.godwit.trace.SwitchoverEvent;
import io.godwit.trace.Trace;
import io.godwit.transport.ConnectAttempt;
import io.godwit.transport.Connection;
import io.godwit.transport.Transports;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The source side of one migration (QEMU migration.c): a thread that owns the stream, drives the
 * handlers through setup, the pre-copy loop and stop-copy, and keeps the status. Other threads
 * only read its state, change parameters, or ask it to cancel.
 *
 * <p>The loop follows QEMU's migration_iteration_run: ask the handlers for a cheap estimate of
 * what is pending; if that is under the threshold, ask for the exact figure (which syncs dirty
 * memory and counts a pass); complete when pending fits the threshold and switchover is allowed;
 * otherwise iterate. The threshold is bandwidth x downtime-limit, measured in 100 ms windows.
 */
public final class Migration {
    private static final int PHASE_PRECOPY = 0;
    private static final int PHASE_CANCELLED = 1;
    private static final int PHASE_SWITCHING = 2;

    private final Machine machine;
    private final Opener opener;
    private volatile Opener preemptOpener; // postcopy-preempt's second connection to the same destination
    private volatile Connection conn;
    private final Capabilities caps;
    private final Clock clock;
    private final MigrationListener listener;
    private final StatusHolder status;
    private final MigrationCounters counters = new MigrationCounters();
    private final CountDownLatch done = new CountDownLatch(1);
    /** The point of no return: cancel wins only while the phase is still pre-copy. */
    private final AtomicInteger phase = new AtomicInteger(PHASE_PRECOPY);

    private volatile Parameters params;
    private volatile String error;
    private volatile Thread thread;
    private volatile long startNanos = -1;
    private volatile long endNanos = -1;
    private volatile long setupTimeMs = -1;
    private volatile long downtimeMs = -1;
    private volatile long expectedDowntimeMs = -1;
    private volatile long thresholdSize;
    private volatile boolean postcopyRequested; // migrate-start-postcopy
    private volatile boolean inPostcopy;        // past the package: the destination may run
    private volatile long switchNanos = -1;     // when the source stopped for the switch to post-copy

    // Owned by the migration thread.
    private StreamOutput out;
    private BandwidthWindow window;
    private SourceReturnPath returnPath;
    private long lastPass;
    private boolean switchToPostcopy;
    private volatile MultifdParameters multifdParams = MultifdParameters.defaults();
    private volatile MultifdSender multifd; // with capability multifd, from setup on
    private volatile long loadNanos; // destination load time reported at the last iteration
    private volatile ThrottleControl throttle; // auto-converge, dirty-limit
    private volatile SwitchHistory switchHistory = new SwitchHistory();
    private volatile SwitchAccounting accounting; // from setup on
    private volatile XbzrleParameters xbzrleParams = XbzrleParameters.defaults();
    private volatile XbzrleSender xbzrle; // with capability xbzrle, from setup on

    /** Opens the channel on the migration thread, so that a refused connection is a failed migration. */
    @FunctionalInterface
    public interface Opener {
        Connection open() throws IOException;

        /** Called from another thread by a cancel: ends an {@link #open} under way at once, if it can. */
        default void abandon() {}

        /** Opens one more connection to the same destination, for a multifd channel. */
        default Connection openChannel() throws IOException {
            throw new IOException("capability 'multifd' needs a tcp: or unix: migration URI");
        }

        /** Connects to {@code uri}, giving up after {@code timeoutMs} (0: never) or at once on a cancel. */
        static Opener connecting(String uri, long timeoutMs) {
            ConnectAttempt attempt = new ConnectAttempt();
            return new Opener() {
                @Override
                public Connection open() throws IOException {
                    return Transports.connect(uri, timeoutMs, attempt);
                }

                @Override
                public void abandon() {
                    attempt.cancel();
                }

                @Override
                public Connection openChannel() throws IOException {
                    if (!uri.startsWith("tcp:") && !uri.startsWith("unix:")) {
                        Opener.super.openChannel();
                    }
                    return Transports.connect(uri, timeoutMs, attempt);
                }
            };
        }
    }

    public Migration(Machine machine, Connection conn, Parameters params, Capabilities caps, Clock clock,
            MigrationListener listener) {
        this(machine, () -> conn, params, caps, clock, listener);
    }

    public Migration(Machine machine, Opener opener, Parameters params, Capabilities caps, Clock clock,
            MigrationListener listener) {
        this.machine = machine;
        this.opener = opener;
        this.params = params;
        this.caps = caps;
        this.clock = clock;
        this.listener = listener;
        this.status = new StatusHolder("source", listener);
        this.throttle = new ThrottleControl(machine, caps, io.godwit.options.ThrottleParameters.defaults());
    }

    /** The multifd parameters this migration uses if capability multifd is on; call before start. */
    public Migration multifd(MultifdParameters p) {
        this.multifdParams = p;
        return this;
    }

    /** The auto-converge and dirty-limit parameters; call before start. */
    public Migration throttle(io.godwit.options.ThrottleParameters p) {
        this.throttle = new ThrottleControl(machine, caps, p);
        return this;
    }

    /** New auto-converge and dirty-limit parameters, from the next sync on. */
    public void setThrottleParameters(io.godwit.options.ThrottleParameters p) {
        throttle.setParameters(p);
    }

    /** Where this node keeps what its last switch cost (see {@link SwitchCost}); call before start. */
    public Migration switchHistory(SwitchHistory h) {
        this.switchHistory = java.util.Objects.requireNonNull(h);
        return this;
    }

    /** The switch's fixed costs as last estimated ({@link SwitchCost#NONE} before setup). */
    public SwitchCost switchCost() {
        SwitchAccounting a = accounting;
        return a != null ? a.current() : SwitchCost.NONE;
    }

    /** The xbzrle parameters this migration starts with if capability xbzrle is on; call before start. */
    public Migration xbzrle(XbzrleParameters p) {
        this.xbzrleParams = p;
        return this;
    }

    /** xbzrle-cache-size changed while migrating: the source takes an empty cache of that size. */
    public void setXbzrleParameters(XbzrleParameters p) {
        xbzrleParams = p;
        XbzrleSender x = xbzrle;
        if (x != null) {
            x.resize(p.cacheSize());
        }
    }

    /**
     * How to open the postcopy-preempt channel (a second connection to the destination, wrapped as
     * the first): needed when the capability is on.
     */
    public Migration preemptChannel(Opener o) {
        this.preemptOpener = o;
        return this;
    }

    /** The capabilities this migration started with. */
    public Capabilities capabilities() {
        return caps;
    }

    Opener preemptOpener() {
        return preemptOpener;
    }

    /**
     * Starts the migration thread. The status is setup before this returns, as QEMU's is once
     * migrate has replied, so a query-migrate right after it never sees none.
     */
    public void start() {
        setStatus(SETUP);
        Thread.ofPlatform().name("godwit-migration").start(this::run);
    }

    /** Runs the whole migration on the calling thread (tests on virtual time call this). */
    public void run() {
        thread = Thread.currentThread();
        startNanos = clock.nanoTime();
        RunState before = machine.state();
        boolean stopped = false;
        StateSaver saver = null;
        try {
            if (status.get() == MigrationStatus.NONE) { // run() called directly, not by start()
                setStatus(SETUP);
            }
            saver = setup();
            setStatus(ACTIVE);
            Pending pending = iterateUntilReady(saver);
            stopped = true;
            if (switchToPostcopy) {
                new PostcopySource(this, saver).run();
            } else {
                complete(saver, pending);
            }
        } catch (Throwable t) {
            fail(t, before, stopped);
        } finally {
            throttle.release(); // completed (the source stays stopped), failed or cancelled
            if (saver != null) {
                saver.cleanup();
            }
            closeMultifd();
            if (xbzrle != null) {
                machine.ramHandler().setXbzrle(null);
            }
            closeQuietly();
            endNanos = clock.nanoTime();
            done.countDown();
        }
    }

    private StateSaver setup() throws IOException {
        traceSettings(params);
        conn = opener.open();
        if (phase.get() == PHASE_CANCELLED) {
            throw new CancelledException();
        }
        boolean postcopyRam = caps.has(Capability.POSTCOPY_RAM);
        if ((caps.has(Capability.RETURN_PATH) || postcopyRam) && !conn.bidirectional()) {
            throw new IOException("capability '" + (postcopyRam ? "postcopy-ram" : "return-path")
                    + "' needs a bidirectional channel; " + conn.uri() + " is one-way");
        }
        out = new StreamOutput(conn.output());
        accounting = new SwitchAccounting(machine, switchHistory);
        if (caps.has(Capability.MULTIFD)) {
            openMultifd();
        }
        if (caps.has(Capability.XBZRLE)) {
            xbzrle = new XbzrleSender(xbzrleParams.cacheSize(), counters);
            machine.ramHandler().setXbzrle(xbzrle);
        }
        window = new BandwidthWindow(clock.nanoTime(), 0);
        SaveContext ctx = new SaveContext(out, clock, caps, counters, this::rateExceeded);
        StateSaver saver = new StateSaver(machine.registry(), new MigrationStreamWriter(out), ctx);
        saver.header(Configuration.of(machine.machineType()));
        if (caps.has(Capability.RETURN_PATH) || postcopyRam) { // post-copy needs it, as in QEMU
            saver.writer().command(Command.openReturnPath());
            returnPath = new SourceReturnPath(conn.input(), clock, thread);
            LinkProbe probe = new LinkProbe(clock);
            returnPath.linkProbe(probe);
            accounting.probeWith(probe);
            returnPath.start();
            if (conn.peerMayRefuseAfterOpen()) {
                confirmChannel(saver);
            }
        }
        if (postcopyRam) { // the destination refuses early if it cannot do post-copy
            saver.writer().command(new PostcopyAdvise(RamBlock.PAGE_SIZE, StreamConstants.TARGET_PAGE_SIZE).toCommand());
        }
        saver.setup();
        out.flush();
        checkPass();
        setupTimeMs = (clock.nanoTime() - startNanos) / 1_000_000;
        window = new BandwidthWindow(clock.nanoTime(), sent());
        throttle.start(clock.nanoTime(), sent(), counters.get(Counter.DIRTY_PAGES_SYNCED));
        return saver;
    }

    /** The destination answers a PING once it has accepted the channel (a TLS certificate check). */
    private void confirmChannel(StateSaver saver) throws IOException {
        saver.writer().command(Command.ping(CONFIRM_PING));
        out.flush();
        try {
            returnPath.awaitPong(() -> phase.get() == PHASE_CANCELLED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the destination to accept the channel", e);
        }
    }

    private static final int CONFIRM_PING = 1;

    /** Connects the multifd channels after the main one, as QEMU does, and gives them the RAM. */
    private void openMultifd() throws IOException {
        MultifdParameters p = multifdParams;
        java.util.List<Connection> conns = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < p.channels(); i++) {
                if (phase.get() == PHASE_CANCELLED) {
                    throw new CancelledException();
                }
                conns.add(opener.openChannel());
            }
            multifd = MultifdSender.start(conns, p, new byte[16]);
        } catch (IOException e) {
            conns.forEach(Connection::shutdown);
            throw e;
        }
        machine.ramHandler().setSendChannels(multifd);
        MultifdDevices.attach(machine, multifd); // for multifd-transfer
    }

    private void closeMultifd() {
        MultifdSender m = multifd;
        if (m != null) {
            machine.ramHandler().setSendChannels(null);
            MultifdDevices.detach(machine);
            m.close();
        }
    }

    /** Bytes sent so far: the main stream's and the multifd channels'. */
    private long sent() {
        MultifdSender m = multifd;
        return out.bytesWritten() + (m != null ? m.bytesSent() : 0);
    }

    boolean rateExceeded() {
        Parameters p = params;
        return window.rateExceeded(sent(), inPostcopy ? p.maxPostcopyBandwidth() : p.maxBandwidth());
    }

    /** The pre-copy loop; returns the pending figures at the moment completion became ready. */
    private Pending iterateUntilReady(StateSaver saver) throws IOException {
        Pending pending = new Pending();
        while (true) {
            checkInterrupts();
            if (!rateExceeded() && iterationRun(saver, pending)) {
                return pending;
            }
            accounting.maybePing(saver, out);
            long now = clock.nanoTime();
            updateWindow(now);
            if (rateExceeded()) {
                clock.park(window.end() - now);
            }
        }
    }

    /**
     * One step of QEMU's migration_iteration_run; true when it is time to complete. Pending is
     * compared with the threshold after adding the bytes the link would carry while the
     * destination loads what handlers say it must load (0 unless a device is cost-aware).
     */
    private boolean iterationRun(StateSaver saver, Pending pending) throws IOException {
        long threshold = window.thresholdSize();
        saver.pendingEstimate(threshold, pending);
        tracePending(false, pending, threshold);
        if (effective(pending, threshold) < threshold) {
            saver.pendingExact(threshold, pending);
            tracePending(true, pending, threshold);
            throttle.onSync(clock.nanoTime(), sent(), counters.get(Counter.DIRTY_PAGES_SYNCED));
            checkPass();
        }
        loadNanos = pending.loadNanos();
        boolean canSwitchover = canSwitchover();
        if (postcopyRequested && pending.mustPrecopy() <= threshold && canSwitchover) {
            switchToPostcopy = true; // what must go first fits: the rest can follow the switch
            return true;
        }
        if (effective(pending, threshold) <= threshold && canSwitchover) {
            return true;
        }
        saver.iterate(false, canSwitchover);
        counters.set(Counter.TRANSFERRED, sent());
        return false;
    }

    /** Pending bytes plus what the link carries in the time the destination needs to load them. */
    private long effective(Pending p, long threshold) {
        if (p.loadNanos() == 0) {
            return p.total();
        }
        if (params.downtimeLimitMs() == 0) {
            return Long.MAX_VALUE;
        }
        double budgetMs = window.budgetMs() > 0 ? window.budgetMs() : params.downtimeLimitMs();
        return p.total() + (long) ((double) threshold * p.loadNanos() / (budgetMs * 1_000_000));
    }

    private boolean canSwitchover() {
        return !caps.has(Capability.SWITCHOVER_ACK) || (returnPath != null && returnPath.switchoverAcked());
    }

    void updateWindow(long now) {
        long bytes = sent();
        counters.set(Counter.TRANSFERRED, bytes);
        long pages = counters.get(Counter.NORMAL_PAGES) + counters.get(Counter.ZERO_PAGES);
        long dirty = counters.get(Counter.DIRTY_PAGES_RATE) > 0 ? counters.get(Counter.DIRTY_BYTES_LAST_SYNC) : -1;
        SwitchCost fixed = accounting.estimate(multifd);
        if (window.update(now, bytes, pages, dirty, params, fixed)) {
            thresholdSize = window.thresholdSize();
            long expected = window.expectedDowntimeMs();
            expectedDowntimeMs = expected < 0 ? -1 : expected + (loadNanos + fixed.totalNanos()) / 1_000_000;
            counters.setRates(window.mbps(), window.pagesPerSecond());
            if (Trace.active()) {
                BandwidthEvent e = new BandwidthEvent();
                e.transferred = bytes;
                e.timeSpentMs = (long) window.timeSpentMs();
                e.bytesPerMs = window.bytesPerMs();
                e.thresholdSize = window.thresholdSize();
                e.commit();
            }
        }
    }

    void checkInterrupts() throws IOException {
        if (phase.get() == PHASE_CANCELLED) {
            throw new CancelledException();
        }
        if (returnPath != null && returnPath.error() != null) {
            throw new IOException("return path failed: " + returnPath.error().getMessage(), returnPath.error());
        }
        if (returnPath != null && returnPath.shutSeenStatus() >= 0) { // QEMU: a SHUT before the end is an error
            throw new IOException("the destination ended the migration (SHUT status " + returnPath.shutSeenStatus()
                    + ") before the stream was complete");
        }
    }

    /** Stop-copy: stop the machine, send the rest, hand over, and wait for the destination to run. */
    private void complete(StateSaver saver, Pending pending) throws IOException, InterruptedException {
        SwitchoverEvent event = Trace.active() ? new SwitchoverEvent() : null;
        if (event != null) {
            event.begin();
        }
        accounting.switching(multifd);
        long stopStart = clock.nanoTime();
        long precopyBytes = sent();
        counters.set(Counter.PRECOPY_BYTES, precopyBytes);
        machine.stop(RunState.FINISH_MIGRATE);
        accounting.stopped(clock.nanoTime() - stopStart);
        setStatus(DEVICE);
        saver.completeSections();
        checkPass();
        if (!phase.compareAndSet(PHASE_PRECOPY, PHASE_SWITCHING)) {
            throw new CancelledException();
        }
        saver.finish();
        long bytes = sent();
        counters.set(Counter.TRANSFERRED, bytes);
        counters.set(Counter.DOWNTIME_BYTES, bytes - precopyBytes);
        long runningAt;
        if (returnPath != null) {
            int shut = returnPath.awaitShut(() -> cancelAbandoned, params.returnPathTimeoutMs());
            if (shut != 0) {
                destinationFailed = true;
                throw new IOException("the destination failed to load the state (SHUT status " + shut + ")");
            }
            runningAt = returnPath.shutNanos();
        } else {
            out.close(); // the end of the stream is all the peer will get
            conn.finish();
            runningAt = clock.nanoTime();
        }
        downtimeMs = Math.max(0, (runningAt - stopStart) / 1_000_000);
        long rest = accounting.switched(runningAt - stopStart, bytes - precopyBytes, window.expectedBytesPerMs());
        machine.stop(RunState.POSTMIGRATE);
        setStatus(COMPLETED);
        if (event != null) {
            event.end();
            event.downtimeMs = downtimeMs;
            event.pending = pending.total();
            event.thresholdSize = window.thresholdSize();
            event.downtimeBytes = bytes - precopyBytes;
            SwitchCost fixed = accounting.atSwitch();
            event.fixedCostEstimateMs = SwitchCost.ms(fixed.totalNanos());
            event.stopEstimateMs = SwitchCost.ms(fixed.stopNanos());
            event.linkEstimateMs = SwitchCost.ms(fixed.linkNanos());
            event.flushEstimateMs = SwitchCost.ms(fixed.flushNanos());
            event.restEstimateMs = SwitchCost.ms(fixed.restNanos());
            event.stopMs = SwitchCost.ms(accounting.stoppedNanos());
            event.restMs = SwitchCost.ms(rest);
            event.commit();
        }
    }

    private volatile boolean cancelAbandoned;
    private volatile boolean destinationFailed;

    // ------------------------------------------------------------ for post-copy (PostcopySource)

    Machine machine() {
        return machine;
    }

    StreamOutput out() {
        return out;
    }

    Clock clock() {
        return clock;
    }

    /** x-return-path-timeout as the migration has it now. */
    long returnPathTimeoutMs() {
        return params.returnPathTimeoutMs();
    }

    Thread thread() {
        return thread;
    }

    SourceReturnPath returnPath() {
        return returnPath;
    }

    long windowEnd() {
        return window.end();
    }

    /** A fresh bandwidth window from now: max-postcopy-bandwidth applies from the switch on. */
    void restartWindow() {
        window = new BandwidthWindow(clock.nanoTime(), out.bytesWritten());
    }

    /** The source stopped for the switch at {@code nanos}. */
    void switched(long nanos) {
        switchNanos = nanos;
    }

    void downtime(long ms) {
        downtimeMs = ms;
    }

    /** The point of no return of a switch to post-copy; false when a cancel came first. */
    boolean passPointOfNoReturn() {
        if (!phase.compareAndSet(PHASE_PRECOPY, PHASE_SWITCHING)) {
            return false;
        }
        inPostcopy = true;
        return true;
    }

    /** The destination said it failed before it ran: the source may run again. */
    void destinationFailedBeforeRunning() {
        destinationFailed = true;
    }

    // ------------------------------------------------------------ post-copy recovery

    private final ResumeGate resumeGate = new ResumeGate();

    /**
     * migrate resume=true: a paused post-copy goes on over a connection from {@code with}.
     *
     * @throws IllegalStateException when the migration is not paused
     */
    public void resume(Opener with) {
        if (status.get() != POSTCOPY_PAUSED) {
            throw new IllegalStateException("Cannot resume if there is no paused migration");
        }
        resumeGate.offer(with);
    }

    /** Waits, paused, until {@link #resume} gives a way to reconnect, or the migration is abandoned. */
    Opener awaitResume() throws IOException, InterruptedException {
        return resumeGate.await();
    }

    /** Gives up a paused post-copy (the process is quitting): the migration fails, the source stays paused. */
    public void abandon() {
        resumeGate.abandon();
    }

    /**
     * migrate-pause: breaks the connection of a post-copy migration, which then pauses.
     *
     * @throws IllegalStateException outside postcopy-active and postcopy-recover
     */
    public void pause() {
        MigrationStatus s = status.get();
        if (s != POSTCOPY_ACTIVE && s != POSTCOPY_RECOVER) {
            throw new IllegalStateException("migrate-pause is currently only supported during postcopy-active or "
                    + "postcopy-recover state");
        }
        dropConnection();
    }

    /** The broken connection is dropped; a new one carries the stream and the return path from now on. */
    void reconnect(Connection next) throws IOException, InterruptedException {
        Connection old = conn;
        if (old != null) {
            old.shutdown();
            old.close();
        }
        if (returnPath != null) {
            returnPath.join();
        }
        conn = next;
        out.rebind(next.output());
        returnPath = new SourceReturnPath(next.input(), clock, thread, true);
        returnPath.start();
    }

    /** The connection a paused migration had is closed now (the paused source waits for resume). */
    void dropConnection() {
        Connection c = conn;
        if (c != null) {
            c.shutdown();
        }
    }

    private void fail(Throwable t, RunState before, boolean stopped) {
        throttle.release(); // before the source runs again: its writers at full speed
        boolean cancelled = t instanceof CancelledException || phase.get() == PHASE_CANCELLED;
        if (conn != null) {
            conn.shutdown();
        }
        MultifdSender m = multifd;
        if (m != null) {
            IOException channel = m.failure();
            boolean destinationSaidWhy = returnPath != null && returnPath.shutSeenStatus() >= 0;
            if (channel != null && !cancelled && !destinationSaidWhy) {
                t = channel; // the cause; the main stream may have failed after it, as the destination gave up
            }
            m.shutdown(); // the channels end with the main stream
        }
        boolean handedOver = phase.get() == PHASE_SWITCHING && !destinationFailed;
        if (cancelled && !handedOver) {
            error = "cancelled by the user";
            if (status.get() != CANCELLING) {
                setStatus(CANCELLING);
            }
        } else {
            error = describe(t);
            if (handedOver && inPostcopy) {
                error += "; the destination runs in post-copy: the source stays paused";
            } else if (handedOver) {
                error += "; the stream was complete, so the destination may be running: the source stays paused"
                        + " (cont resumes it)";
            }
        }
        if (stopped && !handedOver) {
            if (before == RunState.RUNNING) {
                machine.start(); // nothing was handed over: the source carries on
            } else if (machine.state() == RunState.FINISH_MIGRATE) {
                machine.stop(before); // a source that was not running goes back to how it was
            }
        } else if (handedOver && machine.state() == RunState.FINISH_MIGRATE) {
            machine.stop(RunState.POSTMIGRATE); // not resumed (split brain), but cont can if the user knows better
        }
        setStatus(cancelled && !handedOver ? CANCELLED : FAILED);
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m != null ? m : t.getClass().getSimpleName();
    }

    private void closeQuietly() {
        try {
            if (out != null && phase.get() == PHASE_SWITCHING && status.get() == COMPLETED) {
                out.close();
            }
            if (conn != null) {
                conn.close();
            }
            if (returnPath != null) {
                returnPath.join();
            }
        } catch (IOException | InterruptedException e) {
            // the outcome is decided; closing errors change nothing
        }
    }

    // ------------------------------------------------------------ bookkeeping

    void setStatus(MigrationStatus to) {
        status.set(to);
    }

    void checkPass() {
        long count = counters.get(Counter.DIRTY_SYNC_COUNT);
        if (count != lastPass) {
            lastPass = count;
            if (Trace.active()) {
                PassEvent e = new PassEvent();
                e.dirtySyncCount = count;
                e.remaining = counters.get(Counter.RAM_REMAINING);
                e.transferred = out.bytesWritten();
                e.dirtyPagesRate = counters.get(Counter.DIRTY_PAGES_RATE);
                e.commit();
            }
            listener.passCompleted(count);
        }
    }

    private void traceSettings(Parameters p) {
        if (Trace.active()) {
            SettingsEvent e = new SettingsEvent();
            e.parameters = p.byName().entrySet().stream().map(x -> x.getKey() + "=" + x.getValue())
                    .collect(java.util.stream.Collectors.joining(" "));
            e.capabilities = caps.enabled().stream().map(c -> c.qmpName)
                    .collect(java.util.stream.Collectors.joining(" "));
            e.commit();
        }
    }

    static void tracePending(boolean exact, Pending p, long threshold) {
        if (Trace.active()) {
            PendingEvent e = new PendingEvent();
            e.exact = exact;
            e.size = p.total();
            e.mustPrecopy = p.mustPrecopy();
            e.canPostcopy = p.canPostcopy();
            e.thresholdSize = threshold;
            e.commit();
        }
    }

    // ------------------------------------------------------------ other threads

    /**
     * Cancels the migration if it has not reached the point of no return (the end of the stream).
     *
     * @return false when it is too late: the destination may already run
     */
    public boolean cancel() {
        if (status.get().isPostcopy()) {
            return false; // the destination runs: nothing to go back to (QEMU refuses it too)
        }
        if (phase.compareAndSet(PHASE_PRECOPY, PHASE_CANCELLED)) {
            opener.abandon(); // still connecting: the connect ends now, not when the kernel gives up
            Connection c = conn;
            if (c != null) {
                c.shutdown();
            }
            MultifdSender m = multifd;
            if (m != null) {
                m.shutdown();
            }
        } else if (phase.get() == PHASE_SWITCHING) {
            cancelAbandoned = true; // stop waiting for a destination that never answers
            return false;
        }
        Thread t = thread;
        if (t != null) {
            clock.wake(t);
        }
        return true;
    }

    /**
     * migrate-start-postcopy: switch to post-copy as soon as what must precede the switch fits the
     * threshold. Harmless once the migration is over, as in QEMU.
     *
     * @throws IllegalStateException when the migration was started without postcopy-ram
     */
    public void startPostcopy() {
        if (!caps.has(Capability.POSTCOPY_RAM)) {
            throw new IllegalStateException("Enable postcopy with migrate_set_capability before the start of migration");
        }
        postcopyRequested = true;
        Thread t = thread;
        if (t != null) {
            clock.wake(t);
        }
    }

    /** Applies new parameters from the next iteration on (QEMU allows this mid-migration). */
    public void setParameters(Parameters p) {
        this.params = p;
        traceSettings(p);
        Thread t = thread;
        if (t != null) {
            clock.wake(t);
        }
    }

    public Parameters parameters() {
        return params;
    }

    public MigrationStatus status() {
        return status.get();
    }

    public MigrationCounters counters() {
        return counters;
    }

    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    public MigrationInfo info() {
        MigrationStatus s = status.get();
        long start = startNanos;
        long end = endNanos;
        long total = start < 0 ? -1 : ((end >= 0 ? end : clock.nanoTime()) - start) / 1_000_000;
        long switched = switchNanos;
        MigrationInfo.Postcopy pc = switched < 0 ? null : new MigrationInfo.Postcopy(
                ((end >= 0 ? end : clock.nanoTime()) - switched) / 1_000_000, -1, -1, -1, null);
        return new MigrationInfo(s, s == FAILED || s == CANCELLED ? error : null, total, setupTimeMs, downtimeMs,
                expectedDowntimeMs, thresholdSize, MigrationInfo.Ram.of(counters, dirtyTracking(machine)),
                MigrationInfo.Device.of(machine.devices()), MigrationInfo.Disk.of(counters), pc, throttle.info(),
                xbzrleCache());
    }


    /** The xbzrle-cache figures with the capability on, else null. */
    private MigrationInfo.XbzrleCache xbzrleCache() {
        if (!caps.has(Capability.XBZRLE)) {
            return null;
        }
        XbzrleSender x = xbzrle;
        return x == null ? MigrationInfo.XbzrleCache.of(counters, xbzrleParams.cacheSize(), 0, 0)
                : MigrationInfo.XbzrleCache.of(counters, x.cacheSize(), x.cacheMissRate(), x.encodingRate());
    }

    /** The RAM blocks' dirty tracking backends, in block order without repeats; null without RAM. */
    static String dirtyTracking(Machine machine) {
        String names = machine.ram().stream().map(b -> b.tracker().name()).distinct()
                .collect(java.util.stream.Collectors.joining(","));
        return names.isEmpty() ? null : names;
    }

    /** Thrown inside the migration thread when a cancel is seen. */
    static final class CancelledException extends IOException {
        CancelledException() {
            super("cancelled");
        }
    }
}
