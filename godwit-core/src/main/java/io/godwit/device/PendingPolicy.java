package io.godwit.device;

/** How a device reports what it has pending, chosen per device. */
public enum PendingPolicy {
    /** Honest sizes only: initial plus dirty bytes. */
    LEGACY("legacy"),
    /**
     * While initial bytes remain, report more than the threshold, so the loop must iterate until
     * the device has sent its initial data (the rule of the 2023 series that gave the pending
     * calls their threshold argument).
     */
    THRESHOLD("threshold"),
    /** Honest sizes; the destination acknowledges once it has loaded the initial data (QEMU 8.1). */
    SWITCHOVER_ACK("switchover-ack"),
    /**
     * Honest sizes plus the time the destination needs to load them, so that the switch waits
     * until transfer and load together fit the downtime limit (Godwit).
     */
    COST_AWARE("cost-aware");

    public final String qmpName;

    PendingPolicy(String qmpName) {
        this.qmpName = qmpName;
    }

    public static PendingPolicy byName(String name) {
        for (PendingPolicy p : values()) {
            if (p.qmpName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown pending policy '" + name
                + "': expected legacy, threshold, switchover-ack or cost-aware");
    }
}
