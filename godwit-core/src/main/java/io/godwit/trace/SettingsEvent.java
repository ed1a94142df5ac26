package io.godwit.trace;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The parameters and capabilities a migration runs with: at its start, and again whenever the
 * parameters change while it runs (QEMU's migrate-set-parameters). Values are QEMU's names.
 */
@Name("godwit.Settings")
@Label("Migration Settings")
@Category({"Godwit", "Migration"})
@StackTrace(false)
public final class SettingsEvent extends Event {
    @Label("Parameters")
    public String parameters;

    @Label("Capabilities")
    public String capabilities;
}
