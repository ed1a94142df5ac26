package io.godwit.migration;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.multifd.MultifdSender;
import io.godwit.options.MultifdParameters;
import io.godwit.stream.StreamOutput;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The connections one outgoing migration sends over: the main connection and its stream, the
 * return path that comes back over it, and the multifd channels. Owned by the migration thread;
 * a cancel from another thread only shuts the connection and the channels down.
 */
final class SourceChannels {
    private volatile Connection conn;
    private volatile MultifdSender multifd; // with capability multifd, from setup on

    // Owned by the migration thread.
    private StreamOutput out;
    private SourceReturnPath returnPath;

    Connection conn() {
        return conn;
    }

    StreamOutput out() {
        return out;
    }

    SourceReturnPath returnPath() {
        return returnPath;
    }

    MultifdSender multifd() {
        return multifd;
    }

    /** Opens the main connection through {@code opener}. */
    Connection connect(Migration.Opener opener) throws IOException {
        conn = opener.open();
        return conn;
    }

    /** The stream over the main connection. */
    StreamOutput startStream() throws IOException {
        out = new StreamOutput(conn.output());
        return out;
    }

    /** The return path over the main connection, not started yet. */
    SourceReturnPath openReturnPath(Clock clock, Thread migrationThread) throws IOException {
        returnPath = new SourceReturnPath(conn.input(), clock, migrationThread);
        return returnPath;
    }

    /** Connects the multifd channels after the main one, as QEMU does, and gives them the RAM. */
    void openMultifd(Migration.Opener opener, MultifdParameters p, BooleanSupplier cancelled, Machine machine)
            throws IOException {
        java.util.List<Connection> conns = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < p.channels(); i++) {
                if (cancelled.getAsBoolean()) {
                    throw new Migration.CancelledException();
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

    void closeMultifd(Machine machine) {
        MultifdSender m = multifd;
        if (m != null) {
            machine.ramHandler().setSendChannels(null);
            MultifdDevices.detach(machine);
            m.close();
        }
    }

    /** Bytes sent so far: the main stream's and the multifd channels'. */
    long sent() {
        MultifdSender m = multifd;
        return out.bytesWritten() + (m != null ? m.bytesSent() : 0);
    }

    /** A cancel: the connection and the channels end now, whichever thread is using them. */
    void shutdown() {
        Connection c = conn;
        if (c != null) {
            c.shutdown();
        }
        MultifdSender m = multifd;
        if (m != null) {
            m.shutdown();
        }
    }

    /** The broken connection is dropped; a new one carries the stream and the return path from now on. */
    void reconnect(Connection next, Clock clock, Thread migrationThread) throws IOException, InterruptedException {
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
        returnPath = new SourceReturnPath(next.input(), clock, migrationThread, true);
        returnPath.start();
    }

    /** The connection a paused migration had is closed now (the paused source waits for resume). */
    void dropConnection() {
        Connection c = conn;
        if (c != null) {
            c.shutdown();
        }
    }

    /** Closes what is left once the outcome is decided; {@code closeStream} after a completed hand-over. */
    void closeQuietly(boolean closeStream) {
        try {
            if (out != null && closeStream) {
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
}
