package io.godwit.options;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** An immutable set of enabled capabilities; changes make a new set (QEMU's migrate-set-capabilities). */
public final class Capabilities {
    private static final Capabilities NONE = new Capabilities(EnumSet.noneOf(Capability.class));

    private final Set<Capability> enabled;

    private Capabilities(EnumSet<Capability> enabled) {
        this.enabled = Collections.unmodifiableSet(enabled);
    }

    /** QEMU's defaults: everything off. */
    public static Capabilities defaults() {
        return NONE;
    }

    public static Capabilities of(Capability... caps) {
        return defaults().plus(caps);
    }

    public boolean has(Capability c) {
        return enabled.contains(c);
    }

    public Set<Capability> enabled() {
        return enabled;
    }

    public Capabilities plus(Capability... caps) {
        EnumSet<Capability> s = copy();
        for (Capability c : caps) {
            check(c, true);
            s.add(c);
        }
        checkDependencies(s);
        return new Capabilities(s);
    }

    /** Applies a batch of changes at once; refuses the whole batch if any change is refused. */
    public Capabilities with(Map<Capability, Boolean> changes) {
        EnumSet<Capability> s = copy();
        changes.forEach((c, on) -> {
            check(c, on);
            if (on) {
                s.add(c);
            } else {
                s.remove(c);
            }
        });
        checkDependencies(s);
        return new Capabilities(s);
    }

    private static void checkDependencies(EnumSet<Capability> s) {
        if (s.contains(Capability.POSTCOPY_PREEMPT) && !s.contains(Capability.POSTCOPY_RAM)) {
            throw new IllegalArgumentException("Postcopy preempt requires postcopy-ram");
        }
        if (s.contains(Capability.SWITCHOVER_ACK) && !s.contains(Capability.RETURN_PATH)) {
            throw new IllegalArgumentException("Capability 'switchover-ack' requires capability 'return-path'");
        }
        if (s.contains(Capability.POSTCOPY_RAM) && s.contains(Capability.MULTIFD)) {
            // as QEMU 7.2 says it: post-copy pages travel on the main stream only
            throw new IllegalArgumentException("Postcopy is not yet compatible with multifd");
        }
        if (s.contains(Capability.DIRTY_LIMIT) && s.contains(Capability.AUTO_CONVERGE)) {
            // QEMU 8.1+'s words: the two slow the writers each their own way
            throw new IllegalArgumentException("dirty-limit conflicts with auto-converge either of then available currently");
        }
        if (s.contains(Capability.MULTIFD) && s.contains(Capability.XBZRLE)) {
            // QEMU 8.2 on; 7.2 took both and sent multifd pages without xbzrle
            throw new IllegalArgumentException("Multifd is not compatible with xbzrle");
        }
    }

    private static void check(Capability c, boolean on) {
        if (on && !c.supported) {
            throw new IllegalArgumentException("Capability '" + c.qmpName + "' is not supported by Godwit");
        }
    }

    private EnumSet<Capability> copy() {
        return enabled.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(enabled);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Capabilities c && c.enabled.equals(enabled);
    }

    @Override
    public int hashCode() {
        return enabled.hashCode();
    }

    @Override
    public String toString() {
        return enabled.toString();
    }
}
