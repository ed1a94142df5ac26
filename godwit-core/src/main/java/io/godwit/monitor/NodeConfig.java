package io.godwit.monitor;

import io.godwit.migration.Migration;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import java.util.Map;

/**
 * The capabilities and parameters the node migrates with, as migrate-set-capabilities and
 * migrate-set-parameters last set them, and the rules for changing them while a migration runs.
 * Changed under the monitor's lock; migration and accept threads read them at any time.
 */
final class NodeConfig {
    private final CurrentMigrations current;
    private volatile Capabilities caps = Capabilities.defaults();
    private volatile Settings settings = Settings.defaults();

    NodeConfig(CurrentMigrations current) {
        this.current = current;
    }

    Capabilities caps() {
        return caps;
    }

    Settings settings() {
        return settings;
    }

    void setCapabilities(Map<Capability, Boolean> changes) {
        if (current.active()) {
            throw new MonitorException("There's a migration process in progress");
        }
        try {
            caps = caps.with(changes);
        } catch (IllegalArgumentException e) {
            throw new MonitorException(e.getMessage());
        }
    }

    /**
     * All or none: every value is checked before any is applied. Multifd parameters only while no
     * migration is active; a running outgoing migration takes the rest as Monitor's
     * setParameters describes.
     */
    void setParameters(Map<String, Long> changes, Map<String, String> strings, Map<String, Object> multifdChanges,
            Map<String, Object> otherChanges) {
        Settings before = settings;
        Settings next;
        try {
            next = before.with(changes, strings, multifdChanges, otherChanges);
        } catch (IllegalArgumentException e) {
            throw new MonitorException(e.getMessage());
        }
        if (!multifdChanges.isEmpty() && current.active()) {
            throw new MonitorException("There's a migration process in progress");
        }
        settings = next;
        Migration m = current.outgoing;
        if (m != null && m.status().isActive()) {
            m.setParameters(next.params());
            if (!next.throttle().equals(before.throttle())) {
                m.setThrottleParameters(next.throttle());
            }
            if (!next.xbzrle().equals(before.xbzrle())) {
                m.setXbzrleParameters(next.xbzrle());
            }
        }
    }
}
