package io.godwit.machine;

/** A machine's run state, named as QEMU's query-status names them. */
public enum RunState {
    /** Created, not started yet. */
    PRELAUNCH("prelaunch"),
    /** A destination waiting for, or loading, an incoming migration. */
    INMIGRATE("inmigrate"),
    RUNNING("running"),
    /** Stopped by the user. */
    PAUSED("paused"),
    /** Stopped by the migration for switchover. */
    FINISH_MIGRATE("finish-migrate"),
    /** A source after a completed migration: stopped, its state handed over. */
    POSTMIGRATE("postmigrate"),
    /** Shut down; no longer usable. */
    SHUTDOWN("shutdown");

    public final String qmpName;

    RunState(String qmpName) {
        this.qmpName = qmpName;
    }

    public boolean running() {
        return this == RUNNING;
    }
}
