package io.godwit.monitor;

import java.util.Map;

/** Receives the events a monitor emits (QMP: MIGRATION, MIGRATION_PASS, STOP, RESUME). */
@FunctionalInterface
public interface MonitorEvents {
    MonitorEvents NONE = (name, data) -> {};

    void emit(String name, Map<String, Object> data);
}
