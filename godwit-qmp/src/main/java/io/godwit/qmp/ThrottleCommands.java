package io.godwit.qmp;

import io.godwit.migration.MigrationInfo;
import io.godwit.monitor.Monitor;
import io.godwit.options.Capability;
import io.godwit.vcpu.VcpuThrottle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writers' throttles over QMP: QEMU's set-, query- and cancel-vcpu-dirty-limit (one limit for
 * every workload thread; a limit for a single thread is refused), and Godwit's
 * x-query-vcpu-throttle, which shows each workload thread with the time it has been held.
 */
final class ThrottleCommands {
    private final Monitor monitor;

    ThrottleCommands(Monitor monitor) {
        this.monitor = monitor;
    }

    private VcpuThrottle throttle() {
        return monitor.machine().throttle();
    }

    Object query() {
        VcpuThrottle t = throttle();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu-throttle-percentage", t.cpuThrottle());
        m.put("dirty-limit", t.dirtyLimit());
        List<Map<String, Object>> vcpus = new ArrayList<>();
        for (VcpuThrottle.Vcpu v : t.vcpus()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("cpu-index", v.index());
            x.put("name", v.name());
            x.put("held-ns", v.heldNanos());
            x.put("pages-written", v.pagesWritten());
            vcpus.add(x);
        }
        m.put("vcpus", vcpus);
        return m;
    }

    /** QEMU's reply: the limited vCPUs with their limit and current rate (MB/s); empty without a limit. */
    Object queryDirtyLimit() {
        VcpuThrottle t = throttle();
        List<Map<String, Object>> out = new ArrayList<>();
        if (t.dirtyLimit() == 0) {
            return out;
        }
        for (VcpuThrottle.Vcpu v : t.vcpus()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("cpu-index", v.index());
            x.put("limit-rate", v.limitMb());
            x.put("current-rate", v.currentRateMb());
            out.add(x);
        }
        return out;
    }

    Object setDirtyLimit(Args a) {
        checkAllowed("set");
        checkIndex(a);
        long rate = a.integer("dirty-rate");
        if (rate < 0) {
            throw QmpError.generic("Parameter 'dirty-rate' expects uint64");
        }
        if (rate == 0) {
            throttle().cancelDirtyLimit(); // as QEMU: a rate of 0 cancels
        } else {
            throttle().setDirtyLimit(rate, monitor.throttleParameters().vcpuDirtyLimitPeriodMs());
        }
        return Map.of();
    }

    Object cancelDirtyLimit(Args a) {
        checkAllowed("cancel");
        checkIndex(a);
        throttle().cancelDirtyLimit();
        return Map.of();
    }

    /** QEMU refuses a change while a migration with dirty-limit runs: the migration owns the limit. */
    private void checkAllowed(String what) {
        MigrationInfo info = monitor.outgoingInfo();
        if (info != null && info.status().isActive() && monitor.outgoing().capabilities().has(Capability.DIRTY_LIMIT)) {
            throw QmpError.generic("can't " + what + " dirty page rate limit while migration is running");
        }
    }

    private void checkIndex(Args a) {
        if (!a.has("cpu-index")) {
            return;
        }
        long index = a.integer("cpu-index");
        if (index < 0 || index >= throttle().vcpus().size()) {
            throw QmpError.generic("incorrect cpu index specified");
        }
        throw QmpError.generic("Godwit limits every vCPU alike: leave out cpu-index");
    }
}
