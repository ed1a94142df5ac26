package io.godwit.savevm;

import java.io.IOException;

/**
 * A migratable component (QEMU's SaveVMHandlers, include/migration/register.h). Live handlers
 * save in phases: setup (START section), iterate (PART sections, pre-copy), complete (END section,
 * source stopped). Other handlers save their state once, at switchover, in a FULL section.
 */
public interface SaveVmHandler {

    /** True for live handlers (START/PART/END); false for state saved once in a FULL section. */
    default boolean isLive() {
        return true;
    }

    /**
     * True when the handler also saves state once at switchover, in a FULL section after the END
     * sections (a live device's configuration, as QEMU's save_state). By default only handlers
     * that are not live do.
     */
    default boolean hasState() {
        return !isLive();
    }

    /** False when this handler has nothing to migrate this time; it is then left out entirely. */
    default boolean isActive() {
        return true;
    }

    /** False when a live handler takes no part in iteration (it sends only at setup and end). */
    default boolean isActiveIterate() {
        return true;
    }

    /**
     * True when this handler can keep sending after the destination has started (post-copy): its
     * {@code canPostcopy} bytes follow the switch, and it completes with
     * {@link #saveLiveCompletePostcopy}. Handlers that answer false complete at the switch.
     */
    default boolean hasPostcopy() {
        return false;
    }

    // --- source ---

    /**
     * Called on every handler when a migration starts, before {@link #isActive()} is asked
     * (QEMU's save_prepare): a handler whose activity depends on a capability looks here.
     */
    default void savePrepare(SaveContext ctx) throws IOException {}

    /** Writes the START section's payload. */
    default void saveSetup(SaveContext ctx) throws IOException {}

    /**
     * Writes one PART section's payload, stopping when the rate limit is reached.
     *
     * @return true when everything known to be dirty has been sent, false if more remains
     */
    default boolean saveLiveIterate(SaveContext ctx) throws IOException {
        return true;
    }

    /** Writes the END section's payload: everything that is left, the source being stopped. */
    default void saveLiveCompletePrecopy(SaveContext ctx) throws IOException {}

    /** Writes the END section's payload when the migration finishes in post-copy. */
    default void saveLiveCompletePostcopy(SaveContext ctx) throws IOException {}

    /** Writes the FULL section's payload (see {@link #hasState()}). */
    default void saveState(SaveContext ctx) throws IOException {}

    /** Releases what saving took (bitmaps, device sessions), after success or failure. */
    default void saveCleanup() {}

    /**
     * Cheap report of what is left: no dirty-state sync. {@code thresholdSize} is the number of
     * bytes the loop can send within the downtime limit, so a handler can hold the migration in
     * pre-copy until its data is safe on the destination.
     */
    default void pendingEstimate(long thresholdSize, Pending pending) {}

    /** Exact report of what is left; may sync dirty state first (counts a pass for RAM). */
    default void pendingExact(long thresholdSize, Pending pending) {
        pendingEstimate(thresholdSize, pending);
    }

    // --- destination ---

    default void loadSetup(LoadContext ctx) throws IOException {}

    /** Reads one section's payload (any of START, PART, END, FULL) written at {@code versionId}. */
    void loadState(LoadContext ctx, int versionId) throws IOException;

    /**
     * Post-copy, destination: the machine is about to run while this handler may still be
     * loading (QEMU calls dirty_bitmap_mig_before_vm_start here): state the machine changes from
     * now on must not be lost when the rest arrives.
     */
    default void loadBeforePostcopyRun() {}

    /** Called once loading ends, successfully or not. */
    default void loadCleanup() {}

    /** True when the destination must approve switchover for this handler (switchover-ack). */
    default boolean switchoverAckNeeded() {
        return false;
    }
}
