package io.godwit.cli;

import io.godwit.report.HtmlReport;
import io.godwit.report.MigrationTrace;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** godwit report: one HTML page of charts (and PNGs) from a JFR recording of a migration. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Chart a recorded migration (godwit run --trace, demo --trace) as one self-contained HTML page.")
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TRACE.jfr", description = "The JFR recording.")
    Path trace;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.html",
            description = "The page to write (default: the recording's name with .html).")
    Path output;

    @Option(names = "--png", paramLabel = "DIR", description = "Also write each chart as a PNG file in DIR.")
    Path pngDir;

    @Option(names = "--destination-trace", paramLabel = "DST.jfr",
            description = "The destination's recording: its post-copy page waits make the latency histogram.")
    Path destinationTrace;

    @Override
    public Integer call() throws Exception {
        Path html = output != null ? output : defaultOutput(trace);
        MigrationTrace t = HtmlReport.write(trace, destinationTrace, html, pngDir);
        System.out.printf("report: %s (%s, %d passes)%n", html, t.finalStatus(), t.passes().size());
        if (pngDir != null) {
            System.out.printf("charts: %s (%s)%n", pngDir, String.join(", ", HtmlReport.pngFiles(t)));
        }
        return 0;
    }

    static Path defaultOutput(Path trace) {
        String name = trace.getFileName().toString();
        String base = name.endsWith(".jfr") ? name.substring(0, name.length() - 4) : name;
        return trace.resolveSibling(base + ".html");
    }
}
