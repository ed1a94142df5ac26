package io.godwit.qmp;

import io.godwit.dirtyrate.DirtyRateConfig;
import io.godwit.dirtyrate.DirtyRateInfo;
import io.godwit.dirtyrate.DirtyRateMode;
import io.godwit.dirtyrate.DirtyRateStatus;
import io.godwit.monitor.Monitor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** calc-dirty-rate and query-dirty-rate, with QEMU's arguments and reply keys (qapi/migration.json). */
final class DirtyRateCommands {
    static final Set<String> CALC_ARGS = Set.of("calc-time", "calc-time-unit", "sample-pages", "mode");
    static final Set<String> QUERY_ARGS = Set.of("calc-time-unit");

    private final Monitor monitor;

    DirtyRateCommands(Monitor monitor) {
        this.monitor = monitor;
    }

    Object calc(Args a) {
        boolean millis = millisecond(a);
        long time = a.integer("calc-time");
        long ms = millis ? time : time > Long.MAX_VALUE / 1000 || time < 0 ? -1 : time * 1000;
        Long samples = a.has("sample-pages") ? a.integer("sample-pages") : null;
        DirtyRateMode mode = a.has("mode") ? DirtyRateMode.parse(a.string("mode")) : null;
        monitor.calcDirtyRate(DirtyRateConfig.of(ms, samples, mode));
        return Map.of();
    }

    Object query(Args a) {
        boolean millis = millisecond(a);
        DirtyRateInfo i = monitor.queryDirtyRate();
        Map<String, Object> m = new LinkedHashMap<>();
        if (i.status() == DirtyRateStatus.MEASURED) {
            m.put("dirty-rate", i.dirtyRateMiBps());
            m.put("x-dirty-rate-bytes", Math.round(i.dirtyBytesPerSecond())); // Godwit: not rounded to MiB/s
        }
        m.put("status", i.status().qmpName);
        m.put("start-time", i.startTimeSeconds());
        m.put("calc-time", millis ? i.calcTimeMs() : i.calcTimeMs() / 1000);
        m.put("calc-time-unit", millis ? "millisecond" : "second");
        m.put("sample-pages", i.samplePages());
        m.put("mode", i.mode().qmpName);
        return m;
    }

    /** QEMU's TimeUnit: second (the default) or millisecond. */
    private static boolean millisecond(Args a) {
        if (!a.has("calc-time-unit")) {
            return false;
        }
        String u = a.string("calc-time-unit");
        return switch (u) {
            case "second" -> false;
            case "millisecond" -> true;
            default -> throw QmpError.generic("Parameter 'calc-time-unit' does not accept value '" + u + "'");
        };
    }
}
