package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.MultifdParameters;
import io.godwit.options.Parameters;
import io.godwit.options.XbzrleParameters;
import io.godwit.ram.XbzrleSender;
import io.godwit.savevm.Pending;
import io.godwit.savevm.StateSaver;
import io.godwit.stats.Counter;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.StreamOutput;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The source side of one migration (QEMU migration.c): a thread that owns the stream, drives the
 * handlers through setup, the pre-copy loop and stop-copy, and keeps the status. Other threads
 * only read its state, change parameters, or ask it to cancel.
 *
 * <p>The loop follows QEMU's migration_iteration_run: ask the handlers for a cheap estimate of
 * what is pending; if that is under the threshold, ask for the exact figure (which syncs dirty
 * memory and counts a pass); complete when pending fits the threshold and switchover is allowed;
 * otherwise iterate. The threshold is bandwidth x downtime-limit, measured in 100 ms windows.
 *
 * <p>The steps run in their own classes on the migration thread, with this migration's state:
 * {@link SourceSetup}, {@link PrecopyLoop}, {@link StopCopy} or {@link PostcopySource}, and
 * {@link SourceFailure}; {@link SourceChannels} holds the connections, {@link SourceBandwidth} the
 * window and threshold, {@link PointOfNoReturn} what a cancel may still undo, {@link SourceTimes}
 * the times, and {@link SourceInfo} assembles query-migrate from them.
 */
public final class Migration {
    private final Machine machine;
    private final Opener opener;
    private volatile Opener preemptOpener; // postcopy-preempt's second connection to the same destination
    private final Capabilities caps;
    private final Clock clock;
    private final MigrationListener listener;
    private final StatusHolder status;
    private final MigrationCounters counters = new MigrationCounters();
    private final CountDownLatch done = new CountDownLatch(1);
    final PointOfNoReturn point = new PointOfNoReturn();
    final SourceChannels channels = new SourceChannels();
    final SourceBandwidth bandwidth = new SourceBandwidth(this);
    final SourceTimes times = new SourceTimes();

    private volatile Parameters params;
    volatile String error; // written by SourceFailure
    private volatile Thread thread;
    private volatile boolean postcopyRequested; // migrate-start-postcopy
    private long lastPass; // owned by the migration thread
    private volatile MultifdParameters multifdParams = MultifdParameters.defaults();
    private volatile ThrottleControl throttle; // auto-converge, dirty-limit
    private volatile SwitchHistory switchHistory = new SwitchHistory();
    volatile SwitchAccounting accounting; // from setup on (SourceSetup)
    private volatile XbzrleParameters xbzrleParams = XbzrleParameters.defaults();
    volatile XbzrleSender xbzrle; // with capability xbzrle, from setup on (SourceSetup)

    private final ResumeGate resumeGate = new ResumeGate();

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
            return new ConnectingOpener(uri, timeoutMs);
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
        times.started(clock.nanoTime());
        RunState before = machine.state();
        boolean stopped = false;
        StateSaver saver = null;
        try {
            if (status.get() == MigrationStatus.NONE) { // run() called directly, not by start()
                setStatus(SETUP);
            }
            saver = new SourceSetup(this).run();
            setStatus(ACTIVE);
            PrecopyLoop loop = new PrecopyLoop(this, saver);
            Pending pending = loop.run();
            stopped = true;
            if (loop.switchToPostcopy()) {
                new PostcopySource(this, saver).run();
            } else {
                new StopCopy(this, saver).run(pending);
            }
        } catch (Throwable t) {
            SourceFailure.settle(this, t, before, stopped);
        } finally {
            throttle.release(); // completed (the source stays stopped), failed or cancelled
            if (saver != null) {
                saver.cleanup();
            }
            channels.closeMultifd(machine);
            if (xbzrle != null) {
                machine.ramHandler().setXbzrle(null);
            }
            channels.closeQuietly(point.passed() && status.get() == COMPLETED);
            times.ended(clock.nanoTime());
            done.countDown();
        }
    }

    // ------------------------------------------------------------ for the steps on the migration thread

    Machine machine() {
        return machine;
    }

    StreamOutput out() {
        return channels.out();
    }

    Clock clock() {
        return clock;
    }

    Opener opener() {
        return opener;
    }

    /** x-return-path-timeout as the migration has it now. */
    long returnPathTimeoutMs() {
        return params.returnPathTimeoutMs();
    }

    Thread thread() {
        return thread;
    }

    SourceReturnPath returnPath() {
        return channels.returnPath();
    }

    ThrottleControl throttleControl() {
        return throttle;
    }

    SwitchHistory switchHistory() {
        return switchHistory;
    }

    MultifdParameters multifdParameters() {
        return multifdParams;
    }

    XbzrleParameters xbzrleParameters() {
        return xbzrleParams;
    }

    boolean postcopyRequested() {
        return postcopyRequested;
    }

    long windowEnd() {
        return bandwidth.window().end();
    }

    /** A fresh bandwidth window from now: max-postcopy-bandwidth applies from the switch on. */
    void restartWindow() {
        bandwidth.restart(clock.nanoTime(), channels.out().bytesWritten());
    }

    boolean rateExceeded() {
        return bandwidth.rateExceeded();
    }

    void updateWindow(long now) {
        bandwidth.update(now);
    }

    /** The source stopped for the switch at {@code nanos}. */
    void switched(long nanos) {
        times.switched(nanos);
    }

    void downtime(long ms) {
        times.downtime(ms);
    }

    /** The point of no return of a switch to post-copy; false when a cancel came first. */
    boolean passPointOfNoReturn() {
        return point.passToPostcopy();
    }

    /** The destination said it failed before it ran: the source may run again. */
    void destinationFailedBeforeRunning() {
        point.destinationFailed();
    }

    void checkInterrupts() throws IOException {
        if (point.cancelled()) {
            throw new CancelledException();
        }
        SourceReturnPath returnPath = channels.returnPath();
        if (returnPath != null && returnPath.error() != null) {
            throw new IOException("return path failed: " + returnPath.error().getMessage(), returnPath.error());
        }
        if (returnPath != null && returnPath.shutSeenStatus() >= 0) { // QEMU: a SHUT before the end is an error
            throw new IOException("the destination ended the migration (SHUT status " + returnPath.shutSeenStatus()
                    + ") before the stream was complete");
        }
    }

    void setStatus(MigrationStatus to) {
        if (to.isTerminal()) {
            throttle.release(); // an ended migration shows no throttle and holds no writer
        }
        status.set(to);
    }

    void checkPass() {
        long count = counters.get(Counter.DIRTY_SYNC_COUNT);
        if (count != lastPass) {
            lastPass = count;
            SourceTrace.pass(count, counters, channels.out());
            listener.passCompleted(count);
        }
    }

    // ------------------------------------------------------------ post-copy recovery

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
        channels.reconnect(next, clock, thread);
    }

    /** The connection a paused migration had is closed now (the paused source waits for resume). */
    void dropConnection() {
        channels.dropConnection();
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
        if (point.cancel()) {
            opener.abandon(); // still connecting: the connect ends now, not when the kernel gives up
            channels.shutdown();
        } else if (point.passed()) {
            point.abandonWait(); // stop waiting for a destination that never answers
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
        SourceTrace.settings(p, caps);
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
        return SourceInfo.of(this);
    }

    /** Thrown inside the migration thread when a cancel is seen. */
    static final class CancelledException extends IOException {
        CancelledException() {
            super("cancelled");
        }
    }
}
