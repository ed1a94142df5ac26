package io.godwit.inspect;

/** Offsets as inspect prints them everywhere: hexadecimal, as in a hex dump. */
final class Hex {
    private Hex() {}

    static String of(long offset) {
        return "0x" + Long.toHexString(offset);
    }
}
