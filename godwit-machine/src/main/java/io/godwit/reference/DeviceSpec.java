package io.godwit.reference;

import io.godwit.reference.device.KvDevice;
import io.godwit.device.MigratableDevice;
import io.godwit.device.MultifdTransfer;
import io.godwit.device.PendingPolicy;
import io.godwit.reference.device.SyntheticDevice;
import io.godwit.machine.Machine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * --device TYPE,key=value,...  (QEMU's -device style):
 * {@code synthetic,id=gpu0,size=256M,dirty-rate=16M,load-rate=200M,policy=cost-aware,p2p=on} or
 * {@code kv,id=kv0,keys=100000,value-size=1K,policy=switchover-ack}. Either takes
 * {@code multifd-transfer=on|off|auto} (default off): stop-copy state on the multifd channels;
 * a synthetic device {@code precopy=off}: no pre-copy states, all its state at stop-copy.
 */
public final class DeviceSpec {
    private static final Set<String> SYNTHETIC = Set.of("id", "size", "dirty-rate", "load-rate", "policy", "p2p",
            "multifd-transfer", "precopy");
    private static final Set<String> KV = Set.of("id", "keys", "value-size", "policy", "p2p", "multifd-transfer");

    private DeviceSpec() {}

    public static void add(Machine machine, String spec, long seed) {
        String[] parts = spec.split(",");
        String type = parts[0];
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--device " + spec + ": expected key=value, found '" + parts[i] + "'");
            }
            props.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        Set<String> allowed = switch (type) {
            case "synthetic" -> SYNTHETIC;
            case "kv" -> KV;
            default -> throw new IllegalArgumentException("--device " + spec + ": unknown device type '" + type
                    + "': expected synthetic or kv");
        };
        for (String k : props.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("--device " + spec + ": unknown property '" + k + "' for " + type
                        + "; expected one of " + allowed);
            }
        }
        String id = props.getOrDefault("id", type + machine.devices().size());
        boolean p2p = onOff(spec, "p2p", props.getOrDefault("p2p", "off"));
        PendingPolicy policy = PendingPolicy.byName(props.getOrDefault("policy", "legacy"));
        MigratableDevice d = switch (type) {
            case "synthetic" -> new SyntheticDevice(id, ByteSizes.parse(props.getOrDefault("size", "64M")),
                    ByteSizes.parse(props.getOrDefault("dirty-rate", "0")), ByteSizes.parse(props.getOrDefault("load-rate", "0")),
                    p2p, seed).precopy(onOff(spec, "precopy", props.getOrDefault("precopy", "on")));
            default -> new KvDevice(id, (int) ByteSizes.parse(props.getOrDefault("keys", "10000")),
                    (int) ByteSizes.parse(props.getOrDefault("value-size", "256")), p2p, seed);
        };
        machine.addDevice(d, policy).multifdTransfer(MultifdTransfer.byName(props.getOrDefault("multifd-transfer",
                "off")));
    }

    private static boolean onOff(String spec, String key, String v) {
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("--device " + spec + ": " + key + " must be on or off, not " + v);
        };
    }
}
