package io.godwit.migration;

import java.util.EnumSet;
import java.util.Set;

/**
 * The status of a migration, named as QEMU's MigrationStatus. {@link #transition} is the only way
 * from one to another; an arc not in the table is a bug, reported with both states.
 */
public enum MigrationStatus {
    NONE("none"),
    SETUP("setup"),
    CANCELLING("cancelling"),
    CANCELLED("cancelled"),
    ACTIVE("active"),
    /** Source: the package with the device state is out; the destination has not said it loaded it. */
    POSTCOPY_DEVICE("postcopy-device"),
    POSTCOPY_ACTIVE("postcopy-active"),
    POSTCOPY_PAUSED("postcopy-paused"),
    /** Source: resuming a paused post-copy, the new channel is being set up. */
    POSTCOPY_RECOVER_SETUP("postcopy-recover-setup"),
    POSTCOPY_RECOVER("postcopy-recover"),
    COMPLETED("completed"),
    FAILED("failed"),
    PRE_SWITCHOVER("pre-switchover"),
    DEVICE("device");

    public final String qmpName;

    MigrationStatus(String qmpName) {
        this.qmpName = qmpName;
    }

    private Set<MigrationStatus> next() {
        return switch (this) {
            case NONE -> EnumSet.of(SETUP, FAILED, CANCELLING);
            case SETUP -> EnumSet.of(ACTIVE, FAILED, CANCELLING);
            case ACTIVE -> EnumSet.of(PRE_SWITCHOVER, DEVICE, POSTCOPY_ACTIVE, COMPLETED, FAILED, CANCELLING);
            case PRE_SWITCHOVER -> EnumSet.of(DEVICE, FAILED, CANCELLING);
            case DEVICE -> EnumSet.of(COMPLETED, POSTCOPY_DEVICE, POSTCOPY_ACTIVE, FAILED, CANCELLING);
            // Past the package the destination may run: no cancel, and a failure keeps the source paused
            case POSTCOPY_DEVICE -> EnumSet.of(POSTCOPY_ACTIVE, POSTCOPY_PAUSED, FAILED);
            case POSTCOPY_ACTIVE -> EnumSet.of(COMPLETED, POSTCOPY_PAUSED, FAILED);
            case POSTCOPY_PAUSED -> EnumSet.of(POSTCOPY_RECOVER_SETUP, POSTCOPY_RECOVER, FAILED);
            case POSTCOPY_RECOVER_SETUP -> EnumSet.of(POSTCOPY_RECOVER, POSTCOPY_PAUSED, FAILED);
            case POSTCOPY_RECOVER -> EnumSet.of(POSTCOPY_ACTIVE, POSTCOPY_PAUSED, FAILED);
            case CANCELLING -> EnumSet.of(CANCELLED, FAILED);
            case COMPLETED, FAILED, CANCELLED -> EnumSet.noneOf(MigrationStatus.class);
        };
    }

    /** Returns {@code to} if {@code from -> to} is a legal arc; throws naming both states otherwise. */
    public static MigrationStatus transition(MigrationStatus from, MigrationStatus to) {
        if (!from.next().contains(to)) {
            throw new IllegalStateException("illegal migration state change: " + from.qmpName + " -> " + to.qmpName);
        }
        return to;
    }

    /** True once the switch to post-copy has happened: the destination runs or is about to. */
    public boolean isPostcopy() {
        return switch (this) {
            case POSTCOPY_DEVICE, POSTCOPY_ACTIVE, POSTCOPY_PAUSED, POSTCOPY_RECOVER_SETUP, POSTCOPY_RECOVER -> true;
            default -> false;
        };
    }

    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** True while a migration is under way: set up and not yet finished. */
    public boolean isActive() {
        return !isTerminal() && this != NONE;
    }

    public static MigrationStatus byQmpName(String name) {
        for (MigrationStatus s : values()) {
            if (s.qmpName.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown migration status: " + name);
    }
}
