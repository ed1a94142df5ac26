package io.godwit.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the godwit command in this JVM with stdout and stderr captured, as tests need it. */
public record CliRun(int exit, String out, String err) {

    /** One at a time: System.out and System.err are swapped for the run. */
    public static CliRun run(String... args) {
        return run(OutputStream.nullOutputStream(), args);
    }

    /** As {@link #run(String...)}, with stderr also copied to {@code errCopy} as it is written. */
    public static synchronized CliRun run(OutputStream errCopy, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                err.write(b);
                errCopy.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                err.write(b, off, len);
                errCopy.write(b, off, len);
            }
        };
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
