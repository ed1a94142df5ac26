package io.godwit.device;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Device migration states of the VFIO migration v2 uAPI (linux/vfio.h enum vfio_device_mig_state),
 * with its arcs. A device that supports P2P has the RUNNING_P2P and PRE_COPY_P2P states; without
 * P2P those states do not exist and their arcs join (PRE_COPY -> STOP_COPY, RUNNING -> STOP,
 * STOP -> RUNNING). ERROR is entered on failure only, never requested.
 */
public enum DeviceState {
    ERROR(0),
    STOP(1),
    RUNNING(2),
    STOP_COPY(3),
    RESUMING(4),
    RUNNING_P2P(5),
    PRE_COPY(6),
    PRE_COPY_P2P(7);

    /** The uAPI's value. */
    public final int value;

    DeviceState(int value) {
        this.value = value;
    }

    private static final Map<DeviceState, Set<DeviceState>> P2P = new EnumMap<>(DeviceState.class);
    private static final Map<DeviceState, Set<DeviceState>> NO_P2P = new EnumMap<>(DeviceState.class);

    static {
        P2P.put(RUNNING, EnumSet.of(PRE_COPY, RUNNING_P2P));
        P2P.put(PRE_COPY, EnumSet.of(RUNNING, PRE_COPY_P2P));
        P2P.put(PRE_COPY_P2P, EnumSet.of(PRE_COPY, RUNNING_P2P, STOP_COPY));
        P2P.put(RUNNING_P2P, EnumSet.of(RUNNING, STOP, PRE_COPY_P2P));
        P2P.put(STOP, EnumSet.of(RUNNING_P2P, STOP_COPY, RESUMING));
        P2P.put(STOP_COPY, EnumSet.of(STOP));
        P2P.put(RESUMING, EnumSet.of(STOP));
        P2P.put(ERROR, EnumSet.noneOf(DeviceState.class));

        NO_P2P.put(RUNNING, EnumSet.of(PRE_COPY, STOP));
        NO_P2P.put(PRE_COPY, EnumSet.of(RUNNING, STOP_COPY));
        NO_P2P.put(STOP, EnumSet.of(RUNNING, STOP_COPY, RESUMING));
        NO_P2P.put(STOP_COPY, EnumSet.of(STOP));
        NO_P2P.put(RESUMING, EnumSet.of(STOP));
        NO_P2P.put(ERROR, EnumSet.noneOf(DeviceState.class));
    }

    /** True when the state exists for a device with or without P2P support. */
    public boolean exists(boolean p2p) {
        return p2p || (this != RUNNING_P2P && this != PRE_COPY_P2P);
    }

    /** True in the states where the source reads pre-copy data (PRE_COPY and PRE_COPY_P2P). */
    public boolean isPrecopy() {
        return this == PRE_COPY || this == PRE_COPY_P2P;
    }

    /** The uAPI's saving group: the states that share one data stream session on the source. */
    public boolean isSaving() {
        return isPrecopy() || this == STOP_COPY;
    }

    /** The states directly reachable from here. */
    public Set<DeviceState> next(boolean p2p) {
        Set<DeviceState> s = (p2p ? P2P : NO_P2P).get(this);
        return s == null ? Set.of() : Collections.unmodifiableSet(s);
    }

    /** Returns {@code to} if {@code from -> to} is an arc of the uAPI; throws naming both states otherwise. */
    public static DeviceState transition(DeviceState from, DeviceState to, boolean p2p) {
        if (!from.exists(p2p) || !to.exists(p2p) || !from.next(p2p).contains(to)) {
            throw new IllegalStateException("illegal device state change " + from + " -> " + to
                    + (p2p ? "" : " (device without P2P support)"));
        }
        return to;
    }

    /**
     * The shortest sequence of arcs from {@code from} to {@code to}, excluding {@code from}: how the
     * kernel carries out a request that combines arcs (for example RUNNING to STOP_COPY via STOP).
     * As the uAPI requires, saving states are not interior states of a path, except on a path that
     * stays in the saving group (PRE_COPY to STOP_COPY via PRE_COPY_P2P keeps its data session);
     * a path between two saving states never leaves the group, so STOP_COPY has no way back to
     * PRE_COPY or PRE_COPY_P2P.
     */
    public static List<DeviceState> path(DeviceState from, DeviceState to, boolean p2p) {
        if (from == to) {
            return List.of();
        }
        boolean withinSaving = from.isSaving() && to.isSaving();
        Map<DeviceState, DeviceState> prev = new EnumMap<>(DeviceState.class);
        ArrayDeque<DeviceState> queue = new ArrayDeque<>(List.of(from));
        prev.put(from, from);
        while (!queue.isEmpty()) {
            DeviceState s = queue.poll();
            for (DeviceState n : s.next(p2p)) {
                if (prev.containsKey(n) || (n != to && n.isSaving() != withinSaving)) {
                    continue;
                }
                prev.put(n, s);
                if (n == to) {
                    List<DeviceState> out = new ArrayList<>();
                    for (DeviceState x = to; x != from; x = prev.get(x)) {
                        out.add(0, x);
                    }
                    return out;
                }
                queue.add(n);
            }
        }
        throw new IllegalStateException("no way from device state " + from + " to " + to
                + (p2p ? "" : " (device without P2P support)"));
    }
}
