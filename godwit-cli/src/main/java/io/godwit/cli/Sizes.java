package io.godwit.cli;

import io.godwit.reference.ByteSizes;
import picocli.CommandLine;

/** Byte sizes and rates on the command line (see {@link ByteSizes}). */
public final class Sizes implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        return parse(value);
    }

    public static long parse(String value) {
        try {
            return ByteSizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** 1536 -> "1.5 KiB". */
    public static String format(double bytes) {
        return ByteSizes.format(bytes);
    }
}
