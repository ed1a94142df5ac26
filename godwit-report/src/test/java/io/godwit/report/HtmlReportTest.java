package io.godwit.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.report.MigrationTrace.PassSample;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import jdk.jfr.Event;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page shows the recording's figures, references nothing outside itself, and has its PNGs. */
class HtmlReportTest {
    @TempDir
    static Path dir;
    static MigrationTrace trace;
    static String html;

    @BeforeAll
    static void reportARecordedMigration() throws Exception {
        Path jfr = dir.resolve("migration.jfr");
        assertThat(RecordedMigration.record(jfr)).isTrue();
        trace = HtmlReport.write(jfr, dir.resolve("report.html"), dir.resolve("png"));
        html = Files.readString(dir.resolve("report.html"));
    }

    @Test
    void passTableHasEveryRecordedPass() {
        for (PassSample p : trace.passes()) {
            String row = "<tr><td>" + p.count() + "</td><td>" + HtmlReport.ms(p.ms()) + "</td>";
            assertThat(html).contains(row);
            String rest = html.substring(html.indexOf(row));
            rest = rest.substring(0, rest.indexOf("</tr>"));
            assertThat(rest).contains("<td>" + HtmlReport.bytes(p.ramRemaining()) + "</td>")
                    .contains("<td>" + HtmlReport.bytes(p.transferred()) + "</td>");
            if (p.exact() != null) {
                assertThat(rest).contains("<td>" + HtmlReport.bytes(p.exact().size()) + "</td>");
            }
        }
    }

    @Test
    void summaryDowntimeAndSettingsAreTheRecordedOnes() {
        assertThat(html).contains("<tr><th>downtime</th><td>" + trace.switchover().downtimeMs() + " ms</td></tr>")
                .contains("<tr><th>status</th><td>completed</td></tr>")
                .contains("<tr><th>downtime-limit</th><td>" + RecordedMigration.DOWNTIME_LIMIT_MS + "</td></tr>")
                .contains("<td>device dev0</td>")
                .contains("<td>dev0</td><td>cost-aware</td>")
                .contains("None: the recording has no post-copy page faults");
    }

    @Test
    void pageReferencesNothingOutsideItself() {
        assertThat(html).doesNotContainIgnoringCase("http:").doesNotContainIgnoringCase("https:")
                .doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("@import");
        assertThat(Pattern.compile("url\\(\\s*['\"]?\\s*[^#'\"\\s]").matcher(html).find())
                .as("url() only for the page's own clip paths (url(#id))").isFalse();
        assertThat(Pattern.compile("(src|href)\\s*=\\s*['\"]?\\s*//", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .isFalse();
        assertThat(html.split("<svg", -1)).hasSize(HtmlReport.pngFiles(trace).size() + 1);
    }

    @Test
    void everyChartIsAlsoAPng() throws Exception {
        assertThat(HtmlReport.pngFiles(trace)).contains("remaining-over-time.png", "remaining-per-pass.png",
                "throughput.png", "downtime.png");
        for (String f : HtmlReport.pngFiles(trace)) {
            BufferedImage img = ImageIO.read(dir.resolve("png").resolve(f).toFile());
            assertThat(img.getWidth()).as(f).isEqualTo(Charts.WIDTH);
            assertThat(img.getHeight()).as(f).isEqualTo(Charts.HEIGHT);
        }
    }

    @Name(TraceReader.POSTCOPY_FAULT)
    static final class FaultEvent extends Event {}

    @Test
    void postcopyFaultsBecomeAHistogram() throws Exception {
        Path jfr = dir.resolve("faults.jfr");
        try (Recording r = new Recording()) {
            r.enable(FaultEvent.class);
            r.start();
            for (int i = 0; i < 50; i++) {
                FaultEvent e = new FaultEvent();
                e.begin();
                long until = System.nanoTime() + 20_000L * (1 + i % 5);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // a fault that takes a while to serve
                }
                e.end();
                e.commit();
            }
            r.stop();
            r.dump(jfr);
        }
        Path page = dir.resolve("faults.html");
        MigrationTrace t = HtmlReport.write(jfr, page, dir.resolve("faults-png"));
        assertThat(t.faults()).hasSize(50).allSatisfy(us -> assertThat(us).isGreaterThanOrEqualTo(20));
        assertThat(Files.readString(page)).contains("Post-copy page-fault latency").contains("id=\"postcopy-faults\"")
                .doesNotContain("None: the recording has no post-copy");
        assertThat(dir.resolve("faults-png").resolve("postcopy-faults.png")).isRegularFile();
    }
}
