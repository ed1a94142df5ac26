package io.godwit.monitor;

/** A command the monitor refuses, with QMP's error class. */
public final class MonitorException extends RuntimeException {
    public static final String GENERIC = "GenericError";
    public static final String COMMAND_NOT_FOUND = "CommandNotFound";

    private final String errorClass;

    public MonitorException(String desc) {
        this(GENERIC, desc);
    }

    public MonitorException(String errorClass, String desc) {
        super(desc);
        this.errorClass = errorClass;
    }

    public String errorClass() {
        return errorClass;
    }
}
