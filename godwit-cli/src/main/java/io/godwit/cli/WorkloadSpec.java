package io.godwit.cli;

import io.godwit.machine.AbWorkload;
import io.godwit.machine.HotSetWriter;
import io.godwit.machine.RandomWriter;
import io.godwit.machine.Workload;

/** --workload ab[:RATE] | random:RATE | hotset:RATE (RATE in bytes/s, with K/M/G suffixes). */
final class WorkloadSpec {
    private WorkloadSpec() {}

    static Workload parse(String spec, long seed) {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        String arg = colon < 0 ? null : spec.substring(colon + 1);
        return switch (kind) {
            case "ab" -> arg == null ? new AbWorkload() : new AbWorkload(rate(spec, arg));
            case "random" -> new RandomWriter(rate(spec, arg), seed);
            case "hotset" -> new HotSetWriter(rate(spec, arg), seed);
            default -> throw new IllegalArgumentException("unknown workload '" + spec
                    + "': expected ab, ab:RATE, random:RATE or hotset:RATE");
        };
    }

    private static long rate(String spec, String arg) {
        if (arg == null || arg.isEmpty()) {
            throw new IllegalArgumentException("workload '" + spec + "' needs a rate, e.g. " + spec + ":64M");
        }
        long r = Sizes.parse(arg);
        if (r <= 0) {
            throw new IllegalArgumentException("workload rate must be positive: " + spec);
        }
        return r;
    }
}
