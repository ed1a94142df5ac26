package io.godwit.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorException;
import io.godwit.options.Capability;
import io.godwit.options.MultifdParameters;
import io.godwit.options.XbzrleParameters;
import io.godwit.ram.RamBlock;
import io.godwit.options.Parameters;
import io.godwit.options.ThrottleParameters;
import io.godwit.options.TlsParameters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The QMP commands Godwit answers, mapped onto a {@link Monitor}. Names and replies follow QEMU. */
final class QmpCommands {
    /** What a command returns: any value Jackson can write; an empty map for "{}". */
    @FunctionalInterface
    interface Command {
        Object run(Args args) throws IOException;
    }

    private record Entry(Set<String> args, Command command) {}

    private final Map<String, Entry> table = new TreeMap<>();
    private final Monitor monitor;

    QmpCommands(Monitor monitor) {
        this.monitor = monitor;
        ObjectCommands objects = new ObjectCommands(monitor);
        add("object-add", ObjectCommands.ADD_ARGS, objects::add);
        add("object-del", Set.of("id"), objects::delete);
        add("migrate", Set.of("uri", "detach", "blk", "inc", "resume"), this::migrate);
        add("migrate-incoming", Set.of("uri"), a -> {
            monitor.migrateIncoming(a.string("uri"));
            return Map.of();
        });
        add("migrate_cancel", Set.of(), a -> {
            monitor.cancel();
            return Map.of();
        });
        add("migrate-set-capabilities", Set.of("capabilities"), this::setCapabilities);
        add("query-migrate-capabilities", Set.of(), a -> queryCapabilities());
        add("migrate-set-parameters", names(names(names(names(Parameters.names(), TlsParameters.NAMES),
                MultifdParameters.NAMES), ThrottleParameters.NAMES), XbzrleParameters.NAMES), this::setParameters);
        add("query-migrate-parameters", Set.of(), a -> queryParameters());
        add("query-migrate", Set.of(), a -> QmpReplies.queryMigrate(monitor));
        DirtyRateCommands dirtyRate = new DirtyRateCommands(monitor);
        add("calc-dirty-rate", DirtyRateCommands.CALC_ARGS, dirtyRate::calc);
        add("query-dirty-rate", DirtyRateCommands.QUERY_ARGS, dirtyRate::query);
        add("query-memory-size-summary", Set.of(), a -> Map.of("base-memory", monitor.machine().ramSize()));
        add("migrate-start-postcopy", Set.of(), a -> {
            monitor.startPostcopy();
            return Map.of();
        });
        add("migrate-pause", Set.of(), a -> {
            monitor.pause();
            return Map.of();
        });
        add("migrate-recover", Set.of("uri"), a -> {
            monitor.migrateRecover(a.string("uri"));
            return Map.of();
        });
        add("migrate-continue", Set.of("state"), a -> {
            throw QmpError.generic("Migration not in expected state: " + a.string("state")
                    + " (pause-before-switchover is not enabled)");
        });
        add("stop", Set.of(), a -> {
            monitor.stop();
            return Map.of();
        });
        add("cont", Set.of(), a -> {
            monitor.cont();
            return Map.of();
        });
        add("query-status", Set.of(), a -> QmpReplies.status(monitor.status()));
        add("quit", Set.of(), a -> Map.of()); // the server quits once the reply is out
        add("x-query-digest", Set.of(), a -> QmpReplies.digest(monitor.digest(), monitor.status()));
        add("query-block", Set.of(), a -> QmpReplies.queryBlock(monitor.disks()));
        add("x-disk-write", Set.of("node", "offset", "length", "seed"), a -> {
            monitor.diskWrite(a.string("node"), a.integer("offset"), a.integer("length"),
                    a.has("seed") ? a.integer("seed") : 1);
            return Map.of();
        });
        add("x-ram-write", Set.of("block", "offset", "count", "stride", "value", "repeat"), a -> {
            monitor.ramWrite(a.string("block"), a.integer("offset"), a.has("count") ? a.integer("count") : 1,
                    a.has("stride") ? a.integer("stride") : RamBlock.PAGE_SIZE, (int) a.integer("value"),
                    a.bool("repeat", false));
            return Map.of();
        });
        add("x-check-unused", Set.of(), a -> QmpReplies.unused(monitor.checkUnused()));
        add("block-dirty-bitmap-add", Set.of("node", "name", "granularity", "persistent", "disabled"), a -> {
            monitor.addBitmap(a.string("node"), a.string("name"),
                    a.has("granularity") ? (int) a.integer("granularity") : 0, a.bool("persistent", false),
                    a.bool("disabled", false));
            return Map.of();
        });
        add("block-dirty-bitmap-remove", Set.of("node", "name"), a -> {
            monitor.removeBitmap(a.string("node"), a.string("name"));
            return Map.of();
        });
        add("block-dirty-bitmap-clear", Set.of("node", "name"), a -> {
            monitor.clearBitmap(a.string("node"), a.string("name"));
            return Map.of();
        });
        add("block-dirty-bitmap-enable", Set.of("node", "name"), a -> {
            monitor.enableBitmap(a.string("node"), a.string("name"), true);
            return Map.of();
        });
        add("block-dirty-bitmap-disable", Set.of("node", "name"), a -> {
            monitor.enableBitmap(a.string("node"), a.string("name"), false);
            return Map.of();
        });
        add("x-debug-block-dirty-bitmap-sha256", Set.of("node", "name"),
                a -> Map.of("sha256", monitor.bitmapSha256(a.string("node"), a.string("name"))));
        add("x-check-ab", Set.of("block", "offset", "length"), a -> QmpReplies.ab(a.has("block")
                ? monitor.checkAb(a.string("block"), a.has("offset") ? a.integer("offset") : 0,
                        a.has("length") ? a.integer("length") : null)
                : monitor.checkAb(), monitor.status()));
        ThrottleCommands throttle = new ThrottleCommands(monitor);
        add("x-query-vcpu-throttle", Set.of(), a -> throttle.query());
        add("query-vcpu-dirty-limit", Set.of(), a -> throttle.queryDirtyLimit());
        add("set-vcpu-dirty-limit", Set.of("cpu-index", "dirty-rate"), throttle::setDirtyLimit);
        add("cancel-vcpu-dirty-limit", Set.of("cpu-index"), throttle::cancelDirtyLimit);
        add("query-version", Set.of(), a -> QmpServer.version());
        add("query-commands", Set.of(), a -> {
            List<Map<String, Object>> names = new ArrayList<>();
            names.add(Map.of("name", "qmp_capabilities"));
            table.keySet().forEach(n -> names.add(Map.of("name", n)));
            return names;
        });
    }

    private void add(String name, Set<String> args, Command c) {
        table.put(name, new Entry(args, c));
    }

    /** Runs {@code name}; throws QmpError for anything refused. */
    Object execute(String name, JsonNode arguments) {
        Entry e = table.get(name);
        if (e == null) {
            throw new QmpError("CommandNotFound", "The command " + name + " has not been found");
        }
        try {
            return e.command().run(Args.of(arguments, e.args()));
        } catch (MonitorException ex) {
            throw new QmpError(ex.errorClass(), ex.getMessage());
        } catch (IllegalArgumentException | IllegalStateException | IOException ex) {
            throw QmpError.generic(ex.getMessage() != null ? ex.getMessage() : ex.toString());
        }
    }

    private Object migrate(Args a) {
        String uri = a.string("uri");
        if (a.bool("blk", false) || a.bool("inc", false)) {
            throw QmpError.generic("Block migration with blk/inc is not supported; use the block capability");
        }
        a.bool("detach", true);
        if (a.bool("resume", false)) {
            monitor.resume(uri);
            return Map.of();
        }
        monitor.migrate(uri);
        return Map.of();
    }

    private Object setCapabilities(Args a) {
        Map<Capability, Boolean> changes = new LinkedHashMap<>();
        for (JsonNode item : a.array("capabilities")) {
            if (!item.isObject()) {
                throw Args.type("capabilities", "object");
            }
            for (Iterator<String> it = item.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("capability") && !f.equals("state")) {
                    throw QmpError.generic("Parameter 'capabilities[]." + f + "' is unexpected");
                }
            }
            JsonNode name = item.get("capability");
            JsonNode state = item.get("state");
            if (name == null) {
                throw QmpError.generic("Parameter 'capabilities[].capability' is missing");
            }
            if (state == null) {
                throw QmpError.generic("Parameter 'capabilities[].state' is missing");
            }
            if (!name.isTextual()) {
                throw Args.type("capability", "string");
            }
            if (!state.isBoolean()) {
                throw Args.type("state", "boolean");
            }
            Capability c = Capability.byName(name.asText());
            if (c == null) {
                throw QmpError.generic("Parameter 'capability' does not accept value '" + name.asText() + "'");
            }
            changes.put(c, state.asBoolean());
        }
        monitor.setCapabilities(changes);
        return Map.of();
    }

    private List<Map<String, Object>> queryCapabilities() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Capability c : Capability.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("capability", c.qmpName);
            m.put("state", monitor.capabilities().has(c));
            out.add(m);
        }
        return out;
    }

    private static Set<String> names(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.LinkedHashSet<>(a);
        all.addAll(b);
        return all;
    }

    private Object setParameters(Args a) {
        Map<String, Long> changes = new LinkedHashMap<>();
        Map<String, String> strings = new LinkedHashMap<>();
        Map<String, Object> multifd = new LinkedHashMap<>();
        Map<String, Object> others = new LinkedHashMap<>(); // throttle and xbzrle
        for (Iterator<String> it = a.raw().fieldNames(); it.hasNext(); ) {
            String name = it.next();
            JsonNode v = a.raw().get(name);
            if (MultifdParameters.NAMES.contains(name)) {
                multifd.put(name, v.isBoolean() ? (Object) v.asBoolean() : v.isTextual() ? v.asText()
                        : v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.asLong() : v.toString());
                continue;
            }
            if (ThrottleParameters.NAMES.contains(name)) {
                others.put(name, v.isBoolean() ? (Object) v.asBoolean()
                        : v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.asLong() : v.toString());
                continue;
            }
            if (XbzrleParameters.NAMES.contains(name)) {
                if (v.isIntegralNumber() && !v.canConvertToLong()) {
                    throw QmpError.generic(Parameters.outOfRange(name));
                }
                others.put(name, v.isIntegralNumber() ? (Object) v.asLong() : v.toString());
                continue;
            }
            if (TlsParameters.NAMES.contains(name)) {
                if (!v.isNull() && !v.isTextual()) { // QEMU's StrOrNull: null resets to ""
                    throw Args.type(name, "string");
                }
                strings.put(name, v.isNull() ? null : v.asText());
                continue;
            }
            if (v.isIntegralNumber() && !v.canConvertToLong()) {
                // an integer QEMU might take (its parameters are uint64) but past what Godwit holds
                throw QmpError.generic(Parameters.outOfRange(name));
            }
            changes.put(name, a.integer(name));
        }
        monitor.setParameters(changes, strings, multifd, others);
        return Map.of();
    }

    private Map<String, Object> queryParameters() {
        Map<String, Object> m = new LinkedHashMap<>(monitor.parameters().byName());
        TlsParameters t = monitor.tlsParameters();
        m.put(TlsParameters.TLS_CREDS, t.creds());
        m.put(TlsParameters.TLS_HOSTNAME, t.hostname());
        m.put(TlsParameters.TLS_AUTHZ, t.authz());
        m.putAll(monitor.multifdParameters().byName());
        m.putAll(monitor.throttleParameters().byName());
        m.putAll(monitor.xbzrleParameters().byName());
        return m;
    }
}
