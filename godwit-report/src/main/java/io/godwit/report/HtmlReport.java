package io.godwit.report;

import io.godwit.report.MigrationTrace.DeviceSample;
import io.godwit.report.MigrationTrace.PassSample;
import io.godwit.report.MigrationTrace.PendingSample;
import io.godwit.stream.StreamConstants;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.svg.SVGGraphics2D;

/**
 * Writes a {@link MigrationTrace} as one self-contained HTML page: styles inline, charts as inline
 * SVG, no script, no font or image fetched from anywhere; and, on request, each chart as a PNG.
 */
public final class HtmlReport {
    private final MigrationTrace trace;
    private final String source;
    private final StringBuilder html = new StringBuilder();

    private HtmlReport(MigrationTrace trace, String source) {
        this.trace = trace;
        this.source = source;
    }

    /** Reads {@code jfr}, writes the page to {@code htmlFile} and, when {@code pngDir} is not null, the PNGs. */
    public static MigrationTrace write(Path jfr, Path htmlFile, Path pngDir) throws IOException {
        return write(jfr, null, htmlFile, pngDir);
    }

    /** As {@link #write(Path, Path, Path)}, with the destination's post-copy page waits from {@code dstJfr}. */
    public static MigrationTrace write(Path jfr, Path dstJfr, Path htmlFile, Path pngDir) throws IOException {
        MigrationTrace t = TraceReader.read(jfr, dstJfr);
        write(t, jfr.getFileName().toString(), htmlFile, pngDir);
        return t;
    }

    /** Writes the page for {@code t}, read from a recording named {@code source}. */
    public static void write(MigrationTrace t, String source, Path htmlFile, Path pngDir) throws IOException {
        List<Charts.Chart> charts = Charts.all(t);
        Path parent = htmlFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(htmlFile, new HtmlReport(t, source).page(charts));
        if (pngDir != null) {
            Files.createDirectories(pngDir);
            for (Charts.Chart c : charts) {
                ChartUtils.saveChartAsPNG(pngDir.resolve(c.file()).toFile(), c.chart(), Charts.WIDTH, Charts.HEIGHT);
            }
        }
    }

    /** The names of the PNG files {@link #write} puts in its PNG directory for {@code t}. */
    public static List<String> pngFiles(MigrationTrace t) {
        return Charts.all(t).stream().map(Charts.Chart::file).toList();
    }

    private String page(List<Charts.Chart> charts) {
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>Godwit migration report</title><style>").append(STYLE).append("</style></head><body>\n");
        html.append("<h1>Migration report</h1>\n<p class=\"src\">").append(esc(source)).append("</p>\n");
        summary();
        for (Charts.Chart c : charts) {
            html.append("<h2>").append(esc(c.title())).append("</h2>\n<div class=\"chart\" id=\"")
                    .append(c.file().replace(".png", "")).append("\">").append(svg(c)).append("</div>\n");
            if (c.file().equals("remaining-per-pass.png")) {
                passTable();
            }
            if (c.file().equals("downtime.png")) {
                downtimeTables();
            }
        }
        devices();
        if (trace.faults().isEmpty()) {
            html.append("<h2>Post-copy page-fault latency</h2>\n<p>None: the recording has no post-copy page faults"
                    + " (no <code>").append(TraceReader.POSTCOPY_FAULT).append("</code> events).</p>\n");
        }
        settings();
        html.append("</body></html>\n");
        return html.toString();
    }

    private void summary() {
        html.append("<table class=\"summary\">");
        row("status", trace.finalStatus());
        row("time recorded", ms(trace.endMs()));
        row("passes", Integer.toString(trace.passes().size()));
        if (trace.switchover() != null) {
            row("downtime", trace.switchover().downtimeMs() + " ms");
            row("pending at the switch", bytes(trace.switchover().pending()));
            row("threshold at the switch", bytes(trace.switchover().threshold()));
            row("bytes sent while stopped", bytes(trace.switchover().downtimeBytes()));
        }
        if (!trace.passes().isEmpty()) {
            row("transferred (last pass)", bytes(trace.passes().getLast().transferred()));
        }
        html.append("</table>\n");
        if (trace.truncated()) {
            html.append("<p class=\"warn\">The recording held more than ").append(TraceReader.MAX_EVENTS)
                    .append(" Godwit events; the rest were left out.</p>\n");
        }
    }

    private void passTable() {
        html.append("<table class=\"passes\"><tr><th>pass</th><th>at</th><th>exact pending</th>"
                + "<th>must pre-copy</th><th>can post-copy</th><th>last estimate</th><th>threshold</th>"
                + "<th>RAM remaining</th><th>transferred</th><th>dirty rate</th></tr>\n");
        for (PassSample p : trace.passes()) {
            PendingSample x = p.exact();
            PendingSample ref = x != null ? x : p.lastEstimate();
            html.append("<tr><td>").append(p.count()).append("</td><td>").append(ms(p.ms())).append("</td><td>")
                    .append(x != null ? bytes(x.size()) : "&ndash;").append("</td><td>")
                    .append(x != null ? bytes(x.mustPrecopy()) : "&ndash;").append("</td><td>")
                    .append(x != null ? bytes(x.canPostcopy()) : "&ndash;").append("</td><td>")
                    .append(p.lastEstimate() != null ? bytes(p.lastEstimate().size()) : "&ndash;").append("</td><td>")
                    .append(ref != null ? bytes(ref.threshold()) : "&ndash;").append("</td><td>")
                    .append(bytes(p.ramRemaining())).append("</td><td>").append(bytes(p.transferred()))
                    .append("</td><td>").append(bytes(p.dirtyPagesRate() * StreamConstants.TARGET_PAGE_SIZE))
                    .append("/s</td></tr>\n");
        }
        html.append("</table>\n<p class=\"note\">A pass ends with a dirty sync. Its exact pending figure is the"
                + " one that led to the sync; the last pass (stop-copy) has none. The dirty rate is query-migrate's"
                + " dirty-pages-rate, measured over periods of a second or more: 0 until one has ended.</p>\n");
    }

    private void downtimeTables() {
        Map<String, Long> bytes = Downtime.bytes(trace);
        html.append("<table><tr><th>share</th><th>time</th><th>bytes</th></tr>\n");
        for (Map.Entry<String, Double> e : Downtime.shares(trace).entrySet()) {
            Long b = bytes.get(e.getKey());
            html.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(ms(e.getValue()))
                    .append("</td><td>").append(b != null ? bytes(b) : "&ndash;").append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private void devices() {
        if (!trace.devices().isEmpty()) {
            html.append("<h2>Devices</h2>\n<table><tr><th>device</th><th>policy</th><th>initial bytes</th>"
                    + "<th>dirty bytes</th><th>destination load time</th></tr>\n");
            for (DeviceSample d : trace.devices().values()) {
                html.append("<tr><td>").append(esc(d.device())).append("</td><td>").append(esc(d.policy()))
                        .append("</td><td>").append(bytes(d.initialBytes())).append("</td><td>")
                        .append(bytes(d.dirtyBytes())).append("</td><td>").append(ms(d.loadNanos() / 1e6))
                        .append("</td></tr>\n");
            }
            html.append("</table>\n<p class=\"note\">Each device's last pending report; the load time is what the"
                    + " device said the destination needs for what was left (cost-aware policy; 0 under the others)."
                    + " It counts into the downtime the loop plans for.</p>\n");
        }
    }

    private void settings() {
        html.append("<h2>Parameters and capabilities</h2>\n");
        if (trace.settings().isEmpty()) {
            html.append("<p>The recording has no settings event.</p>\n");
            return;
        }
        html.append("<table class=\"settings\">");
        for (String kv : trace.settings().getOrDefault("parameters", "").split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                row(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        String caps = trace.settings().getOrDefault("capabilities", "");
        row("capabilities", caps.isBlank() ? "none" : caps);
        html.append("</table>\n");
    }

    private void row(String k, String v) {
        html.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>");
    }

    /** The chart as an SVG element for inlining: namespace declarations dropped (HTML needs none). */
    static String svg(Charts.Chart c) {
        SVGGraphics2D g = new SVGGraphics2D(Charts.WIDTH, Charts.HEIGHT);
        c.chart().draw(g, new Rectangle2D.Double(0, 0, Charts.WIDTH, Charts.HEIGHT));
        return g.getSVGElement().replaceAll("\\s+xmlns(:\\w+)?=(['\"])[^'\"]*\\2", "");
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String ms(double ms) {
        return String.format(Locale.ROOT, "%.1f ms", ms);
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static final String STYLE = "body{font-family:sans-serif;margin:24px;color:#222;background:#fff}"
            + "h1{margin-bottom:0}.src{color:#666;margin-top:4px}table{border-collapse:collapse;margin:8px 0 16px}"
            + "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}th{background:#f0f0f0}"
            + ".summary th,.settings th,td:first-child{text-align:left}.note{color:#555;font-size:90%}.warn{color:#a00}"
            + ".chart svg{max-width:100%;height:auto}";
}
