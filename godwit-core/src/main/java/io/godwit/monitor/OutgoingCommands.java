package io.godwit.monitor;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.migration.Migration;
import io.godwit.migration.MigrationStatus;
import io.godwit.migration.SwitchHistory;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.options.TlsParameters;
import io.godwit.transport.ChannelWrapper;
import io.godwit.transport.Connection;
import io.godwit.transport.MigrationUri;
import java.io.IOException;

/**
 * The source side's commands: migrate (and migrate resume=true), migrate_cancel and
 * migrate-start-postcopy, with the connections they open wrapped as the TLS parameters want.
 * Called under the monitor's lock.
 */
final class OutgoingCommands {
    private final Machine machine;
    private final Clock clock;
    private final NodeConfig config;
    private final CurrentMigrations current;
    private final UserObjects objects;
    private final MigrationFanOut fanOut;
    private final SwitchHistory switchHistory = new SwitchHistory();

    OutgoingCommands(Machine machine, Clock clock, NodeConfig config, CurrentMigrations current, UserObjects objects,
            MigrationFanOut fanOut) {
        this.machine = machine;
        this.clock = clock;
        this.config = config;
        this.current = current;
        this.objects = objects;
        this.fanOut = fanOut;
    }

    Migration migrate(String uri) {
        MigrationUri.parse(uri); // a malformed URI is refused here, not reported later
        if (current.active()) {
            throw new MonitorException("There's a migration process in progress");
        }
        if (machine.state() == RunState.INMIGRATE) {
            throw new MonitorException("Guest is waiting for an incoming migration");
        }
        Settings st = config.settings();
        Parameters p = st.params();
        Migration m = new Migration(machine, opener(uri, p, st.tls()), p, config.caps(), clock, fanOut)
                .multifd(st.multifd())
                .throttle(st.throttle()).preemptChannel(opener(uri, p, st.tls())) // postcopy-preempt: a second connection, alike
                .xbzrle(st.xbzrle())
                .switchHistory(switchHistory); // what this node's last switch cost counts in the next
        current.outgoing = m;
        m.start();
        return m;
    }

    /**
     * Connects to {@code uri} and wraps the channel as the TLS parameters want it, on the migration
     * thread: a TLS refusal is a failed migration, as in QEMU.
     */
    private Migration.Opener opener(String uri, Parameters p, TlsParameters tp) {
        Migration.Opener raw = Migration.Opener.connecting(uri, p.connectTimeoutMs());
        return new Migration.Opener() {
            @Override
            public Connection open() throws IOException {
                ChannelWrapper w = security(tp); // bad TLS parameters fail before any connect
                return w.wrap(raw.open());
            }

            @Override
            public void abandon() {
                raw.abandon();
            }

            @Override
            public Connection openChannel() throws IOException {
                if (tp.enabled()) {
                    throw new IOException("capability 'multifd' with tls-creds is not supported by Godwit");
                }
                return raw.openChannel();
            }
        };
    }

    /** What an outgoing connection goes through, as the TLS parameters want it. */
    private ChannelWrapper security(TlsParameters tp) throws IOException {
        try {
            return ChannelSecurity.outgoing(tp, objects);
        } catch (MonitorException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    void resume(String uri) {
        MigrationUri.parse(uri);
        Migration m = current.outgoing;
        if (m == null || m.status() != MigrationStatus.POSTCOPY_PAUSED) {
            throw new MonitorException("Cannot resume if there is no paused migration");
        }
        // a resumed post-copy is as secure as the first connection
        m.resume(opener(uri, config.settings().params(), config.settings().tls()));
    }

    /** Refused in post-copy, as QEMU refuses it: the destination runs, there is nothing to go back to. */
    boolean cancel() {
        Migration m = current.outgoing;
        if (m != null && m.status().isPostcopy()) {
            throw new MonitorException("Postcopy migration in progress, cannot cancel.");
        }
        return m != null && m.status().isActive() && m.cancel();
    }

    /** As in QEMU, harmless once the migration has ended. */
    void startPostcopy() {
        if (!config.caps().has(Capability.POSTCOPY_RAM)) {
            throw new MonitorException("Enable postcopy with migrate_set_capability before the start of migration");
        }
        Migration m = current.outgoing;
        if (m == null) {
            throw new MonitorException("Postcopy must be started after migration has been started");
        }
        try {
            m.startPostcopy();
        } catch (IllegalStateException e) {
            throw new MonitorException(e.getMessage()); // that migration began without postcopy-ram
        }
    }

    /** On close: a paused post-copy is abandoned, any other migration under way cancelled. */
    void close() {
        Migration m = current.outgoing;
        if (m != null && m.status().isPostcopy()) {
            m.abandon(); // a paused post-copy waits for nobody any more
        } else if (m != null && m.status().isActive()) {
            m.cancel();
        }
    }
}
