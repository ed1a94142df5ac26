package io.godwit.options;

/**
 * Migration capabilities, named as QEMU names them (qapi/migration.json). Godwit accepts every
 * name so QEMU tooling can query and set them; enabling one Godwit does not implement is refused.
 */
public enum Capability {
    XBZRLE("xbzrle", true),
    RDMA_PIN_ALL("rdma-pin-all", false),
    AUTO_CONVERGE("auto-converge", true),
    ZERO_BLOCKS("zero-blocks", true),
    EVENTS("events", true),
    POSTCOPY_RAM("postcopy-ram", true),
    X_COLO("x-colo", false),
    RELEASE_RAM("release-ram", false),
    BLOCK("block", true),
    RETURN_PATH("return-path", true),
    PAUSE_BEFORE_SWITCHOVER("pause-before-switchover", false),
    MULTIFD("multifd", true),
    DIRTY_BITMAPS("dirty-bitmaps", true),
    POSTCOPY_BLOCKTIME("postcopy-blocktime", true),
    LATE_BLOCK_ACTIVATE("late-block-activate", true),
    X_IGNORE_SHARED("x-ignore-shared", false),
    VALIDATE_UUID("validate-uuid", false),
    BACKGROUND_SNAPSHOT("background-snapshot", false),
    ZERO_COPY_SEND("zero-copy-send", false),
    POSTCOPY_PREEMPT("postcopy-preempt", true),
    SWITCHOVER_ACK("switchover-ack", true),
    DIRTY_LIMIT("dirty-limit", true),
    MAPPED_RAM("mapped-ram", false);

    /** The QMP name. */
    public final String qmpName;
    /** Whether Godwit implements it; others can be queried but not enabled. */
    public final boolean supported;

    Capability(String qmpName, boolean supported) {
        this.qmpName = qmpName;
        this.supported = supported;
    }

    /** The capability with this QMP name, or null. */
    public static Capability byName(String name) {
        for (Capability c : values()) {
            if (c.qmpName.equals(name)) {
                return c;
            }
        }
        return null;
    }
}
