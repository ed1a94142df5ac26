package io.godwit.migration;

import static io.godwit.migration.MigrationStatus.*;

import io.godwit.clock.Clock;
import io.godwit.machine.ForeignState;
import io.godwit.machine.Machine;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveStateEntry;
import io.godwit.savevm.StateLoader;
import io.godwit.stream.ByteSource;
import io.godwit.stream.Command;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.ReturnPathWriter;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import io.godwit.stream.TruncatedStreamException;
import io.godwit.transport.Connection;
import io.godwit.device.DeviceLoadThreads;
import io.godwit.multifd.MultifdReceiver;
import io.godwit.options.MultifdParameters;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The destination side of one migration (QEMU process_incoming_migration): loads the stream into
 * the machine, answers on the return path, and starts the machine only once everything loaded.
 * A failed load leaves the machine stopped, and says so to the source (SHUT with status 1).
 */
public final class IncomingMigration implements PostcopyDestination.Host {
    /** How long a failed destination keeps reading, after SHUT(1), until the source closes. */
    static final long LINGER_MS = 2_000;

    private final Machine machine;
    private volatile Connection conn; // a new one when a paused post-copy recovers
    private final Capabilities caps;
    private final Clock clock;
    private final MigrationListener listener;
    private final StatusHolder status;
    private final CountDownLatch done = new CountDownLatch(1);

    private volatile String error;
    private volatile Throwable failure;
    private volatile long startNanos = -1;
    private volatile long endNanos = -1;
    private volatile StateLoader.Result result;
    private volatile long readTimeoutMs;
    private volatile ReadWatchdog watchdog; // the current connection's; null without a read timeout
    private volatile List<Connection> multifdChannels = List.of();
    private volatile MultifdParameters multifdParams = MultifdParameters.defaults();
    private volatile MultifdReceiver multifd;
    private volatile DeviceLoadThreads deviceLoads;

    // Owned by the incoming thread.
    private volatile ReturnPathWriter returnPath; // threads waiting for post-copy pages ask on it
    private volatile StreamInput input; // the loader's reader: a refusal drains through it
    private int acksPending;
    private ForeignState foreign;
    private MigrationStreamReader reader;
    private volatile PostcopyDestination postcopy;
    private final PreemptChannel preempt = new PreemptChannel();

    public IncomingMigration(Machine machine, Connection conn, Capabilities caps, Clock clock,
            MigrationListener listener) {
        this.machine = machine;
        this.conn = conn;
        this.caps = caps;
        this.clock = clock;
        this.listener = listener;
        this.status = new StatusHolder("destination", listener);
    }

    /**
     * Fails the migration when the source sends nothing for {@code ms} while the loader waits for
     * it (x-incoming-read-timeout); 0, the default here, waits as long as the connection lasts. In
     * post-copy, once the machine runs, the silence pauses the migration instead (as a broken link
     * does); a connection that migrate-recover accepts is watched with the value set by then.
     */
    public IncomingMigration readTimeout(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("read timeout must not be negative: " + ms);
        }
        this.readTimeoutMs = ms;
        return this;
    }

    /** The multifd channels that came with the main connection; call before start. */
    public IncomingMigration multifd(List<Connection> channels, MultifdParameters p) {
        this.multifdChannels = List.copyOf(channels);
        this.multifdParams = p;
        return this;
    }

    public void start() {
        Thread.ofPlatform().name("godwit-incoming").start(this::run);
    }

    public void run() {
        startNanos = clock.nanoTime();
        try {
            setStatus(SETUP);
            machine.expectIncoming();
            StreamInput in = new StreamInput(watched(conn));
            input = in;
            deviceLoads = new DeviceLoadThreads(machine.registry(), machine.devices());
            startMultifd();
            acksPending = caps.has(Capability.SWITCHOVER_ACK) ? countAcksNeeded() : 0;
            LoadContext ctx = new LoadContext(in, caps, this::approveSwitchover);
            boolean blank = machine.isBlank();
            reader = new MigrationStreamReader(in);
            StateLoader loader = new StateLoader(machine.registry(), reader, ctx, this::onCommand,
                    blank ? null : machine.machineType());
            postcopy = new PostcopyDestination(machine, loader, caps, new PageRequester(() -> returnPath),
                    this::onCommand, () -> setStatus(POSTCOPY_ACTIVE), this, preempt);
            foreign = ForeignState.prepare(machine, loader);
            setStatus(ACTIVE);
            StateLoader.Result loaded = loader.load();
            if (loaded == null) { // post-copy: the listen thread has the stream, the machine runs
                loaded = postcopy.awaitEnd();
            } else {
                postcopy.endTracking(); // advised or not, it ended in pre-copy
                awaitDeviceLoads(); // the machine runs only once every device has loaded its state
            }
            if (foreign != null) {
                foreign.finish(loaded);
                foreign = null; // the machine keeps what it adopted
            }
            result = loaded;
            if (!machine.state().running()) { // post-copy started it at the switch
                machine.start();
            }
            confirmRunning();
            setStatus(COMPLETED);
        } catch (Throwable t) {
            MultifdReceiver mr = multifd;
            if (mr != null && t instanceof IOException && !(t instanceof StreamFormatException
                    && !(t instanceof TruncatedStreamException))) {
                mr.settle(MultifdReceiver.SETTLE_MS); // the main stream ended: did a channel break first?
            }
            if (mr != null && mr.failure() != null) {
                t = mr.failure(); // the cause: the main stream ended because of it
            } else if (mr != null && mr.earlyEnd() != null) {
                t = new IOException(mr.earlyEnd() + ", then: " + describe(t), t);
            }
            if (foreign != null) {
                stopMultifd(); // its channels read straight into the adopted RAM: stop them before it goes
                foreign.abandon();
            }
            failure = t;
            ReadWatchdog w = watchdog;
            error = w != null && w.fired() ? w.message()
                    : t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (w == null || !w.fired()) {
                tellSourceWeFailed();
            }
            conn.shutdown();
            abandonPostcopy();
            if (status.get() != FAILED) {
                setStatus(FAILED);
            }
        } finally {
            stopWatching();
            stopMultifd();
            if (deviceLoads != null) {
                deviceLoads.close();
            }
            try {
                conn.close();
            } catch (IOException ignored) {
                // the outcome is decided
            }
            preempt.close(); // a channel still to come, or still open after a failure
            endNanos = clock.nanoTime();
            done.countDown();
        }
    }

    /** The connection's input, under the read timeout when there is one. */
    private ByteSource watched(Connection c) {
        long timeout = readTimeoutMs;
        if (timeout <= 0) {
            watchdog = null;
            return c.input();
        }
        ReadWatchdog w = new ReadWatchdog(c.input(), timeout, c::shutdown);
        watchdog = w;
        w.start();
        return w;
    }

    private void stopWatching() {
        ReadWatchdog w = watchdog;
        if (w != null) {
            w.stop();
        }
    }

    // ------------------------------------------------------------ post-copy recovery

    private final java.util.concurrent.BlockingQueue<Object> recoveries = new java.util.concurrent.LinkedBlockingQueue<>();

    @Override
    public void paused() {
        stopWatching(); // nothing is read until migrate-recover, however long that takes
        watchdog = null; // its connection is gone; a silence there paused post-copy, it failed nothing
        setStatus(POSTCOPY_PAUSED);
        conn.shutdown();
    }

    @Override
    public Connection awaitRecover() throws IOException, InterruptedException {
        Object o = recoveries.take();
        if (o instanceof Connection c) {
            return c;
        }
        throw new IOException("the paused post-copy migration was abandoned");
    }

    @Override
    public ByteSource recovering(Connection c) throws IOException {
        try {
            conn.close();
        } catch (IOException ignored) {
            // the old connection is gone anyway
        }
        conn = c;
        input = null; // the loader's reader was the old connection's
        returnPath = new ReturnPathWriter(new StreamOutput(c.output()));
        setStatus(POSTCOPY_RECOVER);
        return watched(c);
    }

    /** Set on the listen thread; the incoming thread waits for it meanwhile. */
    @Override
    public void resumed() {
        setStatus(POSTCOPY_ACTIVE);
    }

    @Override
    public ReturnPathWriter returnPath() {
        return returnPath;
    }

    /**
     * migrate-recover's connection: a paused post-copy goes on over it.
     *
     * @throws IllegalStateException when post-copy is not paused (the connection is closed)
     */
    public void recover(Connection c) throws IOException {
        if (status.get() != POSTCOPY_PAUSED) {
            c.close();
            throw new IllegalStateException("Migrate recover can only be run when postcopy is paused.");
        }
        recoveries.add(c);
    }

    /**
     * The postcopy-preempt channel, accepted after the main connection (QEMU 8+: the next
     * connection once the main one is there); used when the capability is on.
     */
    public void preemptChannel(Connection c) {
        preempt.offer(c);
    }

    /** The preempt channel could not be accepted: a post-copy that needs it fails at its LISTEN. */
    public void preemptChannelFailed(String why) {
        preempt.failed(why);
    }

    @Override
    public void breakLink() {
        conn.shutdown();
    }

    /** migrate-pause on the destination: breaks the link of an active post-copy, which pauses. */
    public void pause() {
        if (status.get() != POSTCOPY_ACTIVE && status.get() != POSTCOPY_RECOVER) {
            throw new IllegalStateException("migrate-pause is currently only supported during postcopy-active or "
                    + "postcopy-recover state");
        }
        conn.shutdown();
    }

    /** The process quits: a paused post-copy is given up (it fails; waiting accesses throw). */
    public void abandon() {
        recoveries.add("abandoned");
        if (status.get().isPostcopy() && status.get() != POSTCOPY_PAUSED) {
            conn.shutdown();
        }
    }

    /** Starts the multifd channels' threads, and gives the RAM handler their sync points. */
    private void startMultifd() {
        if (multifdChannels.isEmpty()) {
            return;
        }
        MultifdReceiver r = new MultifdReceiver(multifdChannels, multifdParams, machine::ram,
                this::stopReading);
        multifd = r;
        machine.ramHandler().setReceiveChannels(r);
        r.setDeviceStateSink(deviceLoads);
        r.start();
    }

    /** QEMU's wait for the load threads before the machine runs (multifd-transfer devices). */
    private void awaitDeviceLoads() throws IOException, InterruptedException {
        MultifdReceiver r = multifd;
        deviceLoads.awaitAll(() -> r == null ? null : r.failure(), () -> r == null || r.allEnded());
    }

    /** Ends a load blocked on a silent source, keeping our direction open for SHUT(1). */
    private void stopReading() {
        try {
            conn.input().close();
        } catch (IOException e) {
            conn.shutdown();
        }
    }

    /** A failed post-copy: threads waiting for pages give up; the machine, now incomplete, stops. */
    private void abandonPostcopy() {
        PostcopyDestination pc = postcopy;
        if (pc == null || !pc.listening()) {
            return;
        }
        try {
            pc.abandon("post-copy failed: " + error);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (machine.state().running()) {
            machine.stop(io.godwit.machine.RunState.PAUSED);
        }
    }

    private static String describe(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private void stopMultifd() {
        MultifdReceiver r = multifd;
        if (r != null) {
            machine.ramHandler().setReceiveChannels(null);
            r.close();
        }
        multifdChannels.forEach(Connection::shutdown); // channels that came but were never started
    }

    private int countAcksNeeded() {
        int n = 0;
        for (SaveStateEntry e : machine.registry().entries()) {
            if (e.handler().switchoverAckNeeded()) {
                n++;
            }
        }
        return n;
    }

    private void onCommand(Command c, long offset) throws IOException {
        if (postcopy.onCommand(c, offset, reader)) {
            return;
        }
        switch (c.type()) {
            case OPEN_RETURN_PATH -> {
                if (!conn.bidirectional()) {
                    throw new StreamFormatException("OPEN_RETURN_PATH on a one-way channel " + conn.uri(), offset);
                }
                if (returnPath == null) {
                    returnPath = new ReturnPathWriter(new StreamOutput(conn.output()));
                }
                if (caps.has(Capability.SWITCHOVER_ACK) && acksPending == 0) {
                    returnPath.send(ReturnPathMessage.switchoverAck()); // no device needs to approve
                }
            }
            case PING -> {
                if (returnPath == null) {
                    throw new StreamFormatException("PING " + c.intValue() + " received with no return path", offset);
                }
                returnPath.send(ReturnPathMessage.pong(c.intValue()));
            }
            case SWITCHOVER_START -> {
                // QEMU 10 tells the destination the source is about to stop; no handler here prepares for it
            }
            default -> throw new StreamFormatException("command " + c.type() + " is not supported here", offset);
        }
    }

    private void approveSwitchover() {
        if (acksPending > 0 && --acksPending == 0 && returnPath != null) {
            try {
                returnPath.send(ReturnPathMessage.switchoverAck());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * SHUT(0): the machine runs. If the source cannot be told, it stays paused when its wait for
     * SHUT ends; the machine here runs all the same, so the migration completed.
     */
    private void confirmRunning() {
        if (returnPath != null) {
            try {
                returnPath.send(ReturnPathMessage.shut(0));
            } catch (IOException e) {
                System.err.println("godwit: the machine runs, but the source could not be told: " + e.getMessage());
            }
        }
    }

    /**
     * SHUT(1), the end of our direction, then what the source still sends is read and dropped
     * until it closes (at most {@link #LINGER_MS}): closing with unread bytes would reset the
     * connection, and a reset can discard the SHUT before the source has read it.
     */
    private void tellSourceWeFailed() {
        if (returnPath == null) {
            return;
        }
        try {
            returnPath.send(ReturnPathMessage.shut(1));
            conn.output().close();
        } catch (IOException e) {
            return; // the source will see the connection drop instead
        }
        Thread closer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(LINGER_MS);
                conn.shutdown();
            } catch (InterruptedException done) {
                // the source closed first
            }
        });
        try {
            // the loader may hold a buffer: drain through its reader, which hands it back
            (input != null ? input : new StreamInput(conn.input())).discardRest();
        } catch (IOException ignored) {
            // closed or shut: either way it is over
        } finally {
            closer.interrupt();
        }
    }

    private void setStatus(MigrationStatus to) {
        status.set(to);
    }

    public MigrationStatus status() {
        return status.get();
    }

    /** Why the load failed, or null. */
    public String error() {
        return error;
    }

    /** What made the load fail (a {@link StreamFormatException} for a refused stream), or null. */
    public Throwable failure() {
        return failure;
    }

    /** What the loader saw, once completed. */
    public StateLoader.Result result() {
        return result;
    }

    /**
     * Ends a load under way by shutting the connection down: the load fails, the machine stays
     * stopped, and the source sees the connection drop. Nothing happens once the load is over.
     */
    public void abort() {
        if (status.get().isActive()) {
            conn.shutdown();
            multifdChannels.forEach(Connection::shutdown);
        }
    }

    public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    public MigrationInfo info() {
        MigrationStatus s = status.get();
        long total = startNanos < 0 ? -1 : ((endNanos >= 0 ? endNanos : clock.nanoTime()) - startNanos) / 1_000_000;
        PostcopyDestination pc = postcopy;
        return new MigrationInfo(s, s == FAILED ? error : null, total, -1, -1, -1, 0, null,
                MigrationInfo.Device.of(machine.devices()), null,
                pc != null && pc.state() != PostcopyDestination.State.NONE ? pc.info() : null);
    }
}
