package io.godwit.monitor;

import io.godwit.options.MultifdParameters;
import io.godwit.options.Parameters;
import io.godwit.options.ThrottleParameters;
import io.godwit.options.TlsParameters;
import io.godwit.options.XbzrleParameters;
import java.util.Map;

/**
 * A node's migration parameters as migrate-set-parameters sets them: QEMU's numeric ones and
 * Godwit's timeouts, TLS, multifd, auto-converge and dirty-limit, xbzrle. Immutable: a change makes
 * new settings once every value is checked, so a refused change leaves all as they were.
 */
record Settings(Parameters params, TlsParameters tls, MultifdParameters multifd, ThrottleParameters throttle,
        XbzrleParameters xbzrle) {

    static Settings defaults() {
        return new Settings(Parameters.defaults(), TlsParameters.defaults(), MultifdParameters.defaults(),
                ThrottleParameters.defaults(), XbzrleParameters.defaults());
    }

    /**
     * These settings with {@code changes} (numeric, by QMP name), {@code strings} (TLS),
     * {@code multifdChanges} and {@code otherChanges} (auto-converge, dirty-limit and xbzrle by
     * name; values Long or Boolean).
     *
     * @throws IllegalArgumentException naming the first value refused
     */
    Settings with(Map<String, Long> changes, Map<String, String> strings, Map<String, Object> multifdChanges,
            Map<String, Object> otherChanges) {
        ThrottleParameters tp = throttle;
        XbzrleParameters xp = xbzrle;
        for (var e : otherChanges.entrySet()) {
            if (XbzrleParameters.NAMES.contains(e.getKey())) {
                xp = xp.with(e.getKey(), e.getValue());
            } else {
                tp = tp.with(e.getKey(), e.getValue());
            }
        }
        Parameters p = params;
        for (var e : changes.entrySet()) {
            p = p.with(e.getKey(), e.getValue());
        }
        TlsParameters t = tls;
        for (var e : strings.entrySet()) {
            t = t.with(e.getKey(), e.getValue());
        }
        MultifdParameters mp = multifd;
        for (var e : multifdChanges.entrySet()) {
            mp = mp.with(e.getKey(), e.getValue());
        }
        return new Settings(p, t, mp, tp, xp);
    }
}
