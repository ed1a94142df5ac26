package io.godwit.monitor;

import io.godwit.migration.MigrationListener;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What every migration of the node tells: QMP's MIGRATION and MIGRATION_PASS events while the
 * events capability is on, and the listeners added for progress output.
 */
final class MigrationFanOut implements MigrationListener {
    private final Supplier<Capabilities> caps;
    private final MonitorEvents events;
    private final List<MigrationListener> listeners = new CopyOnWriteArrayList<>();

    MigrationFanOut(Supplier<Capabilities> caps, MonitorEvents events) {
        this.caps = caps;
        this.events = events;
    }

    void add(MigrationListener l) {
        listeners.add(l);
    }

    @Override
    public void statusChanged(MigrationStatus from, MigrationStatus to) {
        if (caps.get().has(Capability.EVENTS)) {
            events.emit("MIGRATION", Map.of("status", to.qmpName));
        }
        listeners.forEach(l -> l.statusChanged(from, to));
    }

    @Override
    public void passCompleted(long count) {
        if (caps.get().has(Capability.EVENTS)) {
            events.emit("MIGRATION_PASS", Map.of("pass", count));
        }
        listeners.forEach(l -> l.passCompleted(count));
    }

    /** The MIGRATION event of an incoming connection refused before any migration began. */
    void incomingRefused() {
        if (caps.get().has(Capability.EVENTS)) {
            events.emit("MIGRATION", Map.of("status", MigrationStatus.FAILED.qmpName));
        }
    }

    /**
     * Tells the listeners that a destination stopped waiting for its source at {@code address}.
     * Not an override of {@link #incomingFailed}: the fan-out does not pass that call on from migrations.
     */
    void tellIncomingFailed(String address, String reason) {
        listeners.forEach(x -> x.incomingFailed(address, reason));
    }
}
