package io.godwit.qmp;

/** An error reply: {"error": {"class": ..., "desc": ...}}. */
public final class QmpError extends RuntimeException {
    private final String errorClass;

    public QmpError(String errorClass, String desc) {
        super(desc);
        this.errorClass = errorClass;
    }

    public static QmpError generic(String desc) {
        return new QmpError("GenericError", desc);
    }

    public String errorClass() {
        return errorClass;
    }
}
