package io.godwit.report;

import io.godwit.report.MigrationTrace.PassSample;
import io.godwit.report.MigrationTrace.PendingSample;
import io.godwit.report.MigrationTrace.WindowSample;
import io.godwit.stream.StreamConstants;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's charts, drawn with JFreeChart from a {@link MigrationTrace}. */
final class Charts {
    /** A chart and the file name its PNG gets. */
    record Chart(String file, String title, JFreeChart chart) {}

    static final int WIDTH = 1100;
    static final int HEIGHT = 380;
    /** Time charts keep at most this many points per series; more are thinned evenly. */
    static final int MAX_POINTS = 2000;
    private static final double MIB = 1024.0 * 1024.0;
    private static final Color GRID = new Color(0xd0d0d0);

    private Charts() {}

    /** The charts the trace has data for, in the report's order. */
    static List<Chart> all(MigrationTrace t) {
        List<Chart> charts = new ArrayList<>();
        charts.add(new Chart("remaining-over-time.png", "Remaining and threshold over time", remainingOverTime(t)));
        if (!t.passes().isEmpty()) {
            charts.add(new Chart("remaining-per-pass.png", "Remaining and threshold per pass", remainingPerPass(t)));
        }
        charts.add(new Chart("throughput.png", "Throughput and dirty rate over time", throughput(t)));
        if (t.switchover() != null) {
            charts.add(new Chart("downtime.png", "Downtime by handler", downtime(t)));
        }
        if (!t.faults().isEmpty()) {
            charts.add(new Chart("postcopy-faults.png", "Post-copy page-fault latency", faults(t)));
        }
        return charts;
    }

    static JFreeChart remainingOverTime(MigrationTrace t) {
        XYSeries estimate = new XYSeries("pending (estimate)");
        XYSeries exact = new XYSeries("pending (exact, after a dirty sync)");
        XYSeries threshold = new XYSeries("threshold");
        List<PendingSample> estimates = t.pending().stream().filter(p -> !p.exact()).toList();
        for (PendingSample p : thin(estimates)) {
            estimate.add(p.ms() / 1000, p.size() / MIB);
        }
        for (PendingSample p : thin(t.pending())) {
            threshold.add(p.ms() / 1000, p.threshold() / MIB);
        }
        for (PendingSample p : t.pending()) {
            if (p.exact()) {
                exact.add(p.ms() / 1000, p.size() / MIB);
            }
        }
        JFreeChart c = ChartFactory.createXYLineChart(null, "seconds since start", "MiB",
                collection(estimate, exact, threshold));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesShapesVisible(0, false);
        r.setSeriesLinesVisible(1, false);
        r.setSeriesShapesVisible(2, false);
        style(c, r);
        return c;
    }

    static JFreeChart remainingPerPass(MigrationTrace t) {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        for (PassSample p : t.passes()) {
            String pass = Long.toString(p.count());
            d.addValue(p.exact() != null ? p.exact().size() / MIB : 0, "exact pending before the pass", pass);
            d.addValue(p.ramRemaining() / MIB, "RAM remaining after the sync", pass);
            PendingSample ref = p.exact() != null ? p.exact() : p.lastEstimate();
            d.addValue(ref != null ? ref.threshold() / MIB : 0, "threshold", pass);
        }
        JFreeChart c = ChartFactory.createBarChart(null, "pass (dirty-sync-count)", "MiB", d);
        CategoryPlot plot = c.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(GRID);
        c.setBackgroundPaint(Color.WHITE);
        return c;
    }

    static JFreeChart throughput(MigrationTrace t) {
        XYSeries mbps = new XYSeries("throughput (100 ms windows)");
        XYSeries dirty = new XYSeries("dirty rate (dirty-pages-rate at each pass)");
        for (WindowSample w : thin(t.windows())) {
            mbps.add(w.ms() / 1000, w.bytesPerMs() * 1000 / MIB);
        }
        for (PassSample p : t.passes()) {
            dirty.add(p.ms() / 1000, p.dirtyPagesRate() * (double) StreamConstants.TARGET_PAGE_SIZE / MIB);
        }
        JFreeChart c = ChartFactory.createXYLineChart(null, "seconds since start", "MiB/s",
                collection(mbps, dirty));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer();
        r.setSeriesShapesVisible(0, false);
        style(c, r);
        return c;
    }

    static JFreeChart downtime(MigrationTrace t) {
        DefaultCategoryDataset d = new DefaultCategoryDataset();
        for (Map.Entry<String, Double> e : Downtime.shares(t).entrySet()) {
            d.addValue(e.getValue(), "ms", e.getKey());
        }
        JFreeChart c = ChartFactory.createBarChart(null, null, "ms of downtime", d, PlotOrientation.HORIZONTAL,
                false, false, false);
        CategoryPlot plot = c.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(GRID);
        c.setBackgroundPaint(Color.WHITE);
        return c;
    }

    static JFreeChart faults(MigrationTrace t) {
        HistogramDataset d = new HistogramDataset();
        d.addSeries("faults", t.faults().stream().mapToDouble(Long::doubleValue).toArray(), 40);
        JFreeChart c = ChartFactory.createHistogram(null, "latency (µs)", "faults", d);
        style(c, null);
        return c;
    }

    private static XYSeriesCollection collection(XYSeries... series) {
        XYSeriesCollection c = new XYSeriesCollection();
        for (XYSeries s : series) {
            c.addSeries(s);
        }
        return c;
    }

    private static void style(JFreeChart c, XYLineAndShapeRenderer r) {
        XYPlot plot = c.getXYPlot();
        if (r != null) {
            for (int i = 0; i < plot.getDataset().getSeriesCount(); i++) {
                r.setSeriesStroke(i, new BasicStroke(2f));
            }
            plot.setRenderer(r);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        c.setBackgroundPaint(Color.WHITE);
    }

    /** At most {@link #MAX_POINTS} of {@code all}, evenly spaced, the last one kept. */
    static <T> List<T> thin(List<T> all) {
        if (all.size() <= MAX_POINTS) {
            return all;
        }
        List<T> out = new ArrayList<>(MAX_POINTS + 1);
        double step = (double) all.size() / MAX_POINTS;
        for (int i = 0; i < MAX_POINTS; i++) {
            out.add(all.get((int) (i * step)));
        }
        out.add(all.getLast());
        return out;
    }
}
