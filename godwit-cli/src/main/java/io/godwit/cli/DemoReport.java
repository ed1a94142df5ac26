package io.godwit.cli;

import io.godwit.report.HtmlReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo's recording and report: where the recording goes, and the report written from it. */
final class DemoReport {
    static final String PAGE = "report.html";
    static final String RECORDING = "migration.jfr";

    private DemoReport() {}

    /** The recording's file: --trace, else DIR/migration.jfr with --report, else none. */
    static Path traceFile(Path trace, Path reportDir) throws IOException {
        if (reportDir != null) {
            Files.createDirectories(reportDir);
        }
        if (trace != null) {
            Path parent = trace.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return trace;
        }
        return reportDir != null ? reportDir.resolve(RECORDING) : null;
    }

    /** The destination's recording beside the source's: NAME-destination.jfr. */
    static Path destinationTrace(Path trace) {
        String name = trace.getFileName().toString();
        String base = name.endsWith(".jfr") ? name.substring(0, name.length() - 4) : name;
        return trace.resolveSibling(base + "-destination.jfr");
    }

    /**
     * Writes DIR/report.html and the PNGs from the finished recording (with the post-copy page
     * waits of the destination's, {@code dstTrace}, when there is one); returns the page's path.
     */
    static Path write(Path trace, Path dstTrace, Path reportDir) throws IOException {
        if (!Files.isRegularFile(trace)) {
            throw new IOException("the source wrote no recording to " + trace + " (see its log)");
        }
        Path page = reportDir.resolve(PAGE);
        HtmlReport.write(trace, dstTrace != null && Files.isRegularFile(dstTrace) ? dstTrace : null, page, reportDir);
        return page.toAbsolutePath();
    }
}
