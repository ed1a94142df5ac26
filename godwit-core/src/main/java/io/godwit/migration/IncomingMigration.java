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
import io.godwit.stream.Command;
import io.godwit.stream.MigrationStreamReader;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.ReturnPathWriter;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The destination side of one migration (QEMU process_incoming_migration): loads the stream into
 * the machine, answers on the return path, and starts the machine only once everything loaded.
 * A failed load leaves the machine stopped, and says so to the source (SHUT with status 1).
 */
public final class IncomingMigration implements PostcopyDestination.Host {
    private final Machine machine;
    private volatile Connection conn; // a new one when a paused post-copy recovers
    private final Capabilities caps;
    private final Clock clock;
    private final MigrationListener listener;
    private final StatusHolder status;
    private final CountDownLatch done = new CountDownLatch(1);

    private volatile String error;
    private volatile long startNanos = -1;
    private volatile long endNanos = -1;
    private volatile StateLoader.Result result;

    // Owned by the incoming thread.
    private volatile ReturnPathWriter returnPath; // threads waiting for post-copy pages ask on it
    private int acksPending;
    private ForeignState foreign;
    private MigrationStreamReader reader;
    private volatile PostcopyDestination postcopy;

    public IncomingMigration(Machine machine, Connection conn, Capabilities caps, Clock clock,
            MigrationListener listener) {
        this.machine = machine;
        this.conn = conn;
        this.caps = caps;
        this.clock = clock;
        this.listener = listener;
        this.status = new StatusHolder("destination", listener);
    }

    public void start() {
        Thread.ofPlatform().name("godwit-incoming").start(this::run);
    }

    public void run() {
        startNanos = clock.nanoTime();
        try {
            setStatus(SETUP);
            machine.expectIncoming();
            StreamInput in = new StreamInput(conn.input());
            acksPending = caps.has(Capability.SWITCHOVER_ACK) ? countAcksNeeded() : 0;
            LoadContext ctx = new LoadContext(in, caps, this::approveSwitchover);
            boolean blank = machine.isBlank();
            reader = new MigrationStreamReader(in);
            StateLoader loader = new StateLoader(machine.registry(), reader, ctx, this::onCommand,
                    blank ? null : machine.machineType());
            postcopy = new PostcopyDestination(machine, loader, caps, new PageRequester(() -> returnPath),
                    this::onCommand, () -> setStatus(POSTCOPY_ACTIVE), this);
            foreign = ForeignState.prepare(machine, loader);
            setStatus(ACTIVE);
            StateLoader.Result loaded = loader.load();
            if (loaded == null) { // post-copy: the listen thread has the stream, the machine runs
                loaded = postcopy.awaitEnd();
            } else {
                postcopy.endTracking(); // advised or not, it ended in pre-copy
            }
            if (foreign != null) {
                foreign.finish(loaded);
            }
            result = loaded;
            if (!machine.state().running()) {
                machine.start();
            }
            if (returnPath != null) {
                returnPath.send(ReturnPathMessage.shut(0));
            }
            setStatus(COMPLETED);
        } catch (Throwable t) {
            if (foreign != null) {
                foreign.abandon();
            }
            error = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            tellSourceWeFailed();
            conn.shutdown();
            abandonPostcopy();
            if (status.get() != FAILED) {
                setStatus(FAILED);
            }
        } finally {
            try {
                conn.close();
            } catch (IOException ignored) {
                // the outcome is decided
            }
            endNanos = clock.nanoTime();
            done.countDown();
        }
    }

    // ------------------------------------------------------------ post-copy recovery

    private final java.util.concurrent.BlockingQueue<Object> recoveries = new java.util.concurrent.LinkedBlockingQueue<>();

    @Override
    public void paused() {
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
    public void recovering(Connection c) throws IOException {
        try {
            conn.close();
        } catch (IOException ignored) {
            // the old connection is gone anyway
        }
        conn = c;
        returnPath = new ReturnPathWriter(new StreamOutput(c.output()));
        setStatus(POSTCOPY_RECOVER);
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

    private void tellSourceWeFailed() {
        if (returnPath != null) {
            try {
                returnPath.send(ReturnPathMessage.shut(1));
            } catch (IOException ignored) {
                // the source will see the connection drop instead
            }
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

    /** What the loader saw, once completed. */
    public StateLoader.Result result() {
        return result;
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
