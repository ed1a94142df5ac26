package io.godwit.stream;

import java.io.IOException;
import java.nio.BufferOverflowException;
import java.nio.BufferUnderflowException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What every refusal of untrusted input must be, checked by the fuzz tests: a documented type
 * ({@link StreamFormatException} for a stream), a message that is one printable line, names the
 * byte offset within the input, and shows nothing of Java's insides (exception and class names,
 * FFM segment dumps, array index messages, stack traces). A failed check throws AssertionError,
 * which a fuzzer reports as a finding.
 */
public final class RefusalProperty {
    /** What a message shows when an exception's text leaked through instead of a refusal's. */
    private static final List<String> INTERNALS = List.of("MemorySegment{", "out of bounds for length",
            "Out of bound access", "Exception", "java.", "javax.", "jdk.", "sun.", "io.godwit.", "\tat ",
            "Caused by", "Java heap space");
    private static final Pattern IDENTITY_HASH = Pattern.compile("@[0-9a-f]{5,}");
    /** What a message quotes from the input ('name'), which may hold anything, "Exception" too. */
    private static final Pattern QUOTED = Pattern.compile("'[^']*'");
    /** Unchecked exceptions that are bugs wherever they appear, even wrapped in a refusal. */
    private static final List<Class<? extends Throwable>> BUGS = List.of(IndexOutOfBoundsException.class,
            NullPointerException.class, ArithmeticException.class, NegativeArraySizeException.class,
            ClassCastException.class, BufferUnderflowException.class, BufferOverflowException.class,
            ArrayStoreException.class, Error.class);

    private RefusalProperty() {}

    /** {@code t} refused a stream of {@code length} bytes as it must; throws AssertionError otherwise. */
    public static void checkStreamRefusal(Throwable t, long length) {
        checkNoBug(t);
        if (!(t instanceof StreamFormatException e)) {
            throw new AssertionError("a stream was refused with " + t.getClass().getName() + ", not a "
                    + "StreamFormatException: " + t.getMessage(), t);
        }
        checkMessage(e.getMessage(), t);
        if (e.offset() < 0 || e.offset() > length) {
            throw new AssertionError("refusal names offset " + e.offset() + " outside the " + length
                    + "-byte stream: " + e.getMessage(), t);
        }
        if (!e.getMessage().endsWith(" at byte offset " + e.offset())) {
            throw new AssertionError("refusal does not end with its offset: " + e.getMessage(), t);
        }
    }

    /** {@code t} is an I/O failure or refusal, not a bug; its message passes {@link #checkMessage}. */
    public static void checkIoRefusal(Throwable t) {
        checkNoBug(t);
        if (!(t instanceof IOException)) {
            throw new AssertionError("refused with " + t.getClass().getName() + ", not an IOException: "
                    + t.getMessage(), t);
        }
        checkMessage(t.getMessage(), t);
    }

    /** Neither {@code t} nor any of its causes is an exception that only a bug throws. */
    public static void checkNoBug(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            for (Class<? extends Throwable> bug : BUGS) {
                if (bug.isInstance(c)) {
                    throw new AssertionError("refusal caused by " + c.getClass().getName() + ": " + c.getMessage(), t);
                }
            }
        }
    }

    /** One printable line, without Java's insides (outside what it quotes from the input). */
    public static void checkMessage(String message, Throwable t) {
        if (message == null || message.isBlank()) {
            throw new AssertionError("refusal without a message", t);
        }
        if (!Printable.isPrintable(message)) {
            throw new AssertionError("refusal message is not one printable line: " + Printable.escape(message), t);
        }
        String own = QUOTED.matcher(message).replaceAll("''");
        for (String s : INTERNALS) {
            if (own.contains(s)) {
                throw new AssertionError("refusal message shows Java internals ('" + s + "'): " + message, t);
            }
        }
        if (IDENTITY_HASH.matcher(own).find()) {
            throw new AssertionError("refusal message shows an object's identity: " + message, t);
        }
    }
}
