package io.godwit.inspect;

import io.godwit.stream.Printable;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The text report's output: every string a report line is made of is escaped where it does not
 * print ({@link Printable}), so names from a stream (section idstrs, RAM blocks, devices, disks)
 * cannot break a line or send control sequences to a terminal. Format strings are the report's own.
 * Only printf's arguments and println's line are escaped: print is what the formatter writes with.
 */
final class PrintableOut extends PrintStream {
    private PrintableOut(PrintStream out) {
        super(out, false, out.charset());
    }

    static PrintableOut of(PrintStream out) {
        return out instanceof PrintableOut p ? p : new PrintableOut(out);
    }

    @Override
    public PrintStream format(String format, Object... args) {
        return super.format(format, escaped(args));
    }

    @Override
    public PrintStream format(Locale l, String format, Object... args) {
        return super.format(l, format, escaped(args));
    }

    @Override
    public void println(String x) {
        super.println(x == null ? null : Printable.escape(x));
    }

    private static Object[] escaped(Object[] args) {
        Object[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof CharSequence s) {
                out[i] = Printable.escape(s.toString());
            }
        }
        return out;
    }
}
