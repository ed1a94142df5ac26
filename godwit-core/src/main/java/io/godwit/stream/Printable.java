package io.godwit.stream;

/**
 * Text from a stream made fit for a one-line message: names and strings a peer sent may hold any
 * bytes (NULs, newlines, escape sequences), and a refusal that quotes them must still be one
 * printable line. Characters that do not print are written as escapes: {@code \x00} for those
 * below 256, a backslash, 'u' and four hex digits for others.
 */
public final class Printable {
    private Printable() {}

    /** {@code s} with every character that does not print escaped; {@code s} itself when all do. */
    public static String escape(String s) {
        if (isPrintable(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (prints(s, i)) {
                b.append(c);
                if (Character.isHighSurrogate(c)) {
                    b.append(s.charAt(++i));
                }
            } else if (c < 0x100) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /** True when every character of {@code s} prints on one line. */
    public static boolean isPrintable(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!prints(s, i)) {
                return false;
            }
            if (Character.isHighSurrogate(s.charAt(i))) {
                i++;
            }
        }
        return true;
    }

    // A surrogate prints only as the first half of a pair that names a printable code point.
    private static boolean prints(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                    && printable(Character.toCodePoint(c, s.charAt(i + 1)));
        }
        return printable(c);
    }

    private static boolean printable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                    Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
