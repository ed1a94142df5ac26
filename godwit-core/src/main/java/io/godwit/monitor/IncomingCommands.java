package io.godwit.monitor;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.migration.IncomingMigration;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.MultifdParameters;
import io.godwit.transport.ChannelWrapper;
import io.godwit.transport.Connection;
import io.godwit.transport.Listener;
import io.godwit.transport.MigrationUri;
import io.godwit.transport.Transports;
import java.io.IOException;

/**
 * The destination side's commands: migrate-incoming and migrate-recover, each listening in the
 * background and accepting one source. The commands run under the monitor's lock; the accept
 * threads take the same lock to hand over what they accepted.
 */
final class IncomingCommands {
    private final Object lock;
    private final Machine machine;
    private final Clock clock;
    private final NodeConfig config;
    private final CurrentMigrations current;
    private final UserObjects objects;
    private final MigrationFanOut fanOut;
    private volatile Listener listener;
    private volatile Listener recovering; // migrate-recover's, until its source connects
    private volatile String listenAddress;
    private volatile String incomingError; // why the last incoming connection was refused
    private volatile boolean closed;

    IncomingCommands(Object lock, Machine machine, Clock clock, NodeConfig config, CurrentMigrations current,
            UserObjects objects, MigrationFanOut fanOut) {
        this.lock = lock;
        this.machine = machine;
        this.clock = clock;
        this.config = config;
        this.current = current;
        this.objects = objects;
        this.fanOut = fanOut;
    }

    String migrateIncoming(String uri) throws IOException {
        MigrationUri.parse(uri);
        IncomingMigration before = current.incoming;
        if (before != null && before.status().isActive() || listener != null) {
            throw new MonitorException("An incoming migration is already waiting or in progress");
        }
        if (machine.state() != RunState.PRELAUNCH && machine.state() != RunState.INMIGRATE) {
            throw new MonitorException("The machine has already run; an incoming migration needs a fresh machine");
        }
        // bad TLS parameters: refused now
        ChannelWrapper security = ChannelSecurity.incoming(config.settings().tls(), objects);
        machine.expectIncoming();
        Listener l = Transports.listen(uri, () -> config.settings().params().incomingIdleTimeoutMs(),
                notice -> System.err.println("godwit: " + notice), security != ChannelWrapper.NONE);
        // the preempt channel comes to the same address after the main one
        l.keepForPreempt(() -> config.caps().has(Capability.POSTCOPY_PREEMPT));
        current.incoming = null; // query-migrate shows this attempt from now on, not the one before
        listener = l;
        listenAddress = l.address();
        incomingError = null;
        Thread.ofPlatform().name("godwit-accept").start(() -> accept(l, security));
        return listenAddress;
    }

    private void accept(Listener l, ChannelWrapper security) {
        IncomingMigration in;
        try {
            in = connect(l, security);
        } catch (IOException | RuntimeException failed) { // a bug is a failed incoming, not a silent end
            refused(l, failed);
            return;
        }
        synchronized (lock) {
            current.incoming = in;
            listener = null;
        }
        if (config.caps().has(Capability.POSTCOPY_PREEMPT)) {
            Thread.ofPlatform().name("godwit-preempt-accept").start(() -> acceptPreempt(l, security, in));
        }
        in.run();
        try {
            l.close(); // a preempt channel that never came is not waited for any more
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Waits for the source (and its multifd channels) and sets up the migration it starts. */
    private IncomingMigration connect(Listener l, ChannelWrapper security) throws IOException {
        // multifd must be set before migrate-incoming (as QEMU requires: the listener waits for
        // its channels); the other capabilities may change until the source connects
        Capabilities atListen = config.caps();
        MultifdParameters mp = config.settings().multifd();
        Listener.Accepted a = l.accept(atListen.has(Capability.MULTIFD) ? mp.channels() : 0);
        Capabilities c = config.caps();
        if (c.has(Capability.MULTIFD) != atListen.has(Capability.MULTIFD)) {
            c = atListen;
        }
        return new IncomingMigration(machine, security.wrap(a.main()), c, clock, fanOut)
                .readTimeout(config.settings().params().incomingReadTimeoutMs()).multifd(a.multifd(), mp);
    }

    private void refused(Listener l, Exception failed) {
        String m = failed.getMessage() != null ? failed.getMessage() : failed.getClass().getSimpleName();
        IOException e = failed instanceof IOException io ? io : new IOException(m, failed);
        synchronized (lock) {
            listener = null;
            listenAddress = null; // closed: one connection per migrate-incoming
            incomingError = closed ? null : e.getMessage();
        }
        if (!closed) {
            // QEMU reports a refused TLS session on stderr and stays ready for another attempt
            System.err.println("godwit: incoming migration on " + l.address() + ": " + e.getMessage());
            fanOut.incomingRefused();
        }
        String reason = closed ? "closed before a source connected" : e.getMessage();
        fanOut.tellIncomingFailed(l.address(), reason);
    }

    /** The postcopy-preempt channel: the next connection to the same listener. */
    private static void acceptPreempt(Listener l, ChannelWrapper security, IncomingMigration in) {
        try {
            in.preemptChannel(security.wrap(l.acceptPreempt()));
        } catch (IOException e) {
            in.preemptChannelFailed(e.getMessage());
        }
    }

    String migrateRecover(String uri) throws IOException {
        MigrationUri.parse(uri);
        IncomingMigration in = current.incoming;
        if (in == null || in.status() != MigrationStatus.POSTCOPY_PAUSED) {
            throw new MonitorException("Migrate recover can only be run when postcopy is paused.");
        }
        // bad TLS parameters: refused now
        ChannelWrapper security = ChannelSecurity.incoming(config.settings().tls(), objects);
        Listener l = Transports.listenForRecovery(uri, security != ChannelWrapper.NONE);
        closeQuietly(recovering); // a second migrate-recover replaces the first's listener
        recovering = l;
        listenAddress = l.address();
        Thread.ofPlatform().name("godwit-recover-accept").start(() -> {
            try (l) {
                Connection c = security.wrap(l.accept());
                // the value in force now
                in.readTimeout(config.settings().params().incomingReadTimeoutMs()).recover(c);
            } catch (IOException | RuntimeException e) {
                if (!closed && recovering == l) {
                    System.err.println("godwit: migrate-recover on " + l.address() + ": " + e.getMessage());
                }
            }
        });
        return listenAddress;
    }

    String listenAddress() {
        return listenAddress;
    }

    /** Whether a listener waits for a source. */
    boolean listening() {
        return listener != null;
    }

    /** Why the last incoming connection was refused, or null. */
    String refusal() {
        return incomingError;
    }

    /** From now on a failed accept is the monitor closing, not a refused source. */
    void markClosed() {
        closed = true;
    }

    /** On close: ends an incoming load under way and stops listening. */
    void close() {
        IncomingMigration in = current.incoming;
        if (in != null && in.status().isPostcopy()) {
            in.abandon(); // the destination runs; its load cannot be undone
        } else if (in != null && in.status().isActive()) {
            in.abort();
        }
        closeQuietly(listener);
        closeQuietly(recovering);
    }

    private static void closeQuietly(Listener l) {
        if (l != null) {
            try {
                l.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
