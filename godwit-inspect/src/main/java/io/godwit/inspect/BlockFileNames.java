package io.godwit.inspect;

import java.nio.charset.StandardCharsets;

/**
 * File names for RAM blocks under --extract-ram. Letters, digits, '_', '-' and '.' stay as they
 * are; every other byte of the UTF-8 name becomes %XX (upper-case hex), as does a leading '.',
 * so "pc.ram" stays "pc.ram" and "/rom@etc/acpi/tables" becomes "%2From%40etc%2Facpi%2Ftables".
 * The mapping is one to one, and a name never escapes the directory or hides as a dot file.
 */
final class BlockFileNames {
    /** Longest file name most file systems take. */
    static final int MAX = 255;

    private BlockFileNames() {}

    static String of(String block) {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = block.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            boolean plain = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                    || b == '_' || b == '-' || (b == '.' && i > 0);
            if (plain) {
                sb.append((char) b);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 15, 16)));
            }
        }
        return sb.toString();
    }
}
