package io.godwit.reference;

import java.util.Locale;

/** Byte sizes and rates as people write them: 4096, 512K, 256M, 1G (powers of 1024). */
public final class ByteSizes {
    private ByteSizes() {}

    /** Parses a size; a malformed one is an {@link IllegalArgumentException} saying what is expected. */
    public static long parse(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT);
        if (v.endsWith("IB")) {
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("B")) {
            v = v.substring(0, v.length() - 1);
        }
        long unit = 1;
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
        }
        String digits = unit == 1 ? v : v.substring(0, v.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "'" + value + "' is not a size: use a number of bytes with an optional K, M, G or T suffix");
        }
    }

    /** 1536 -> "1.5 KiB". */
    public static String format(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int i = 0;
        while (Math.abs(bytes) >= 1024 && i < units.length - 1) {
            bytes /= 1024;
            i++;
        }
        return i == 0 ? String.format("%.0f %s", bytes, units[i]) : String.format("%.1f %s", bytes, units[i]);
    }
}
