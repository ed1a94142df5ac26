package io.godwit.cli;

import io.godwit.inspect.InspectReport;
import io.godwit.inspect.JsonReport;
import io.godwit.inspect.Progress;
import io.godwit.inspect.StreamInspector;
import io.godwit.inspect.TextReport;
import io.godwit.stream.StreamFormatException;
import java.io.Console;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** godwit inspect: reads a migration stream file (QEMU's or Godwit's) and reports what it holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Read a migration stream file, check every frame and report its sections, RAM, commands and "
                + "devices.")
final class InspectCommand implements Callable<Integer> {
    /** Files below this size are read too quickly for a progress line to help. */
    private static final long PROGRESS_MIN_BYTES = 256L << 20;

    @Parameters(index = "0", paramLabel = "FILE", description = "A migration stream, e.g. from migrate \"exec:cat > FILE\" "
            + "or file:FILE.")
    Path file;

    @Option(names = "--json", description = "Print one JSON document instead of text.")
    boolean json;

    @Option(names = "--extract-ram", paramLabel = "DIR", description = "Write each RAM block to a file in DIR.")
    Path extractDir;

    private boolean showProgress;

    @Override
    public Integer call() {
        try {
            InspectReport report = new StreamInspector(file, extractDir, progress()).inspect();
            clearProgress();
            if (json) {
                System.out.println(JsonReport.render(report));
            } else {
                TextReport.render(report, System.out);
            }
            return 0;
        } catch (StreamFormatException e) {
            clearProgress();
            System.err.printf("godwit inspect: %s: %s at offset 0x%x (%d)%n", file, e.reason(), e.offset(), e.offset());
            return 1;
        } catch (IOException | RuntimeException e) {
            clearProgress();
            System.err.println("godwit inspect: " + file + ": " + reason(e));
            return 1;
        }
    }

    /** File system errors carry only a path as their message: say what happened to it. */
    private String reason(Exception e) {
        return switch (e) {
            case NoSuchFileException n -> n.getFile().equals(file.toString()) ? "no such file" : "no such file: "
                    + n.getFile();
            case AccessDeniedException a -> "permission denied: " + a.getFile();
            case FileSystemException f -> f.getFile() + ": " + (f.getReason() != null ? f.getReason()
                    : f.getClass().getSimpleName());
            default -> e.getMessage() != null ? e.getMessage() : e.toString();
        };
    }

    /** A percentage on stderr for large files, and only on a terminal. */
    private Progress progress() throws IOException {
        Console c = System.console();
        if (c == null || !c.isTerminal() || !Files.isRegularFile(file) || Files.size(file) < PROGRESS_MIN_BYTES) {
            return Progress.NONE;
        }
        long size = Files.size(file);
        showProgress = true;
        return new Progress(at -> System.err.printf("\rinspecting %s: %d%%", file, at * 100 / size));
    }

    private void clearProgress() {
        if (showProgress) {
            System.err.print("\r\033[K");
            showProgress = false;
        }
    }
}
