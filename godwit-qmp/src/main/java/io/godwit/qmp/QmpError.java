package io.godwit.qmp;

import io.godwit.stream.Printable;

/**
 * An error reply: {"error": {"class": ..., "desc": ...}}. The desc is one printable line, whatever
 * the input it quotes held: what does not print is escaped ({@link Printable}).
 */
public final class QmpError extends RuntimeException {
    private final String errorClass;

    public QmpError(String errorClass, String desc) {
        super(Printable.escape(desc));
        this.errorClass = errorClass;
    }

    public static QmpError generic(String desc) {
        return new QmpError("GenericError", desc);
    }

    public String errorClass() {
        return errorClass;
    }
}
