package io.godwit.reference;

import io.godwit.reference.device.KvDevice;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.machine.Machine;
import io.godwit.reference.workload.HotSetWriter;
import io.godwit.reference.workload.RandomWriter;
import io.godwit.vcpu.Workload;

/**
 * --workload ab[:RATE] | random:RATE | hotset:RATE | read:RATE (RATE in bytes/s of pages, with K/M/G
 * suffixes), or
 * kv:OPS / kv:ID:OPS (mutations per second on a kv device).
 */
public final class WorkloadSpec {
    private WorkloadSpec() {}

    public static Workload parse(String spec, long seed, Machine machine) {
        if (spec.startsWith("kv:")) {
            return kvWriter(spec, seed, machine);
        }
        if (spec.startsWith("disk:")) {
            String[] p = spec.split(":");
            if (p.length < 3 || p.length > 4 || (p.length == 4 && !p[3].equals("seq") && !p[3].equals("random"))) {
                throw new IllegalArgumentException("workload " + spec + ": expected disk:NAME:RATE[:seq]");
            }
            io.godwit.block.BlockDevice d = machine.disk(p[1]);
            if (d == null) {
                throw new IllegalArgumentException("workload " + spec + ": no disk '" + p[1] + "' (add it with --disk)");
            }
            return new io.godwit.reference.workload.DiskWriter(d, rate(spec, p[2]), p.length == 4 && p[3].equals("seq"), seed);
        }
        if (spec.startsWith("attrs:")) {
            if (machine.storageAttributes() == null) {
                throw new IllegalArgumentException("workload " + spec + ": the machine has no storage attributes "
                        + "(add --unused-pages)");
            }
            return new io.godwit.reference.workload.AttributeFlipper(machine.storageAttributes(), rate(spec, spec.substring(6)),
                    seed);
        }
        return parse(spec, seed);
    }

    private static Workload kvWriter(String spec, long seed, Machine machine) {
        String[] p = spec.split(":");
        KvDevice kv = null;
        if (p.length == 3) {
            if (machine.device(p[1]) instanceof KvDevice k) {
                kv = k;
            }
        } else if (p.length == 2) {
            for (var h : machine.devices()) {
                if (h.device() instanceof KvDevice k) {
                    if (kv != null) {
                        throw new IllegalArgumentException("workload " + spec + ": several kv devices; name one, kv:ID:OPS");
                    }
                    kv = k;
                }
            }
        }
        if (kv == null) {
            throw new IllegalArgumentException("workload " + spec + ": no such kv device (add one with --device kv,...)");
        }
        return kv.writer(rate(spec, p[p.length - 1]), seed);
    }

    public static Workload parse(String spec, long seed) {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        String arg = colon < 0 ? null : spec.substring(colon + 1);
        return switch (kind) {
            case "ab" -> arg == null ? new AbWorkload() : new AbWorkload(rate(spec, arg));
            case "random" -> new RandomWriter(rate(spec, arg), seed);
            case "hotset" -> new HotSetWriter(rate(spec, arg), seed);
            case "read" -> new io.godwit.reference.workload.RandomReader(rate(spec, arg), seed);
            default -> throw new IllegalArgumentException("unknown workload '" + spec
                    + "': expected ab, ab:RATE, random:RATE, hotset:RATE, read:RATE or kv:OPS");
        };
    }

    private static long rate(String spec, String arg) {
        if (arg == null || arg.isEmpty()) {
            throw new IllegalArgumentException("workload '" + spec + "' needs a rate, e.g. " + spec + ":64M");
        }
        long r = ByteSizes.parse(arg);
        if (r <= 0) {
            throw new IllegalArgumentException("workload rate must be positive: " + spec);
        }
        return r;
    }
}
