package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * godwit demo --report on a real (short) two-process migration, then the page in headless
 * Chromium: the screenshot shows the charts, and the page needs nothing from outside itself.
 * Chromium is Debian's (scripts/ensure-chromium installs it); without it the browser test skips.
 */
class ReportBrowserTest {
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("GODWIT_CHROMIUM", "/usr/bin/chromium"));
    /** JFreeChart's first three series paints: the charts' lines, dots and bars. */
    static final int[] SERIES = {0xff5555, 0x5555ff, 0x55ff55};

    @TempDir
    static Path dir;
    static Path reportDir;
    static JsonNode demo;
    static String html;

    @BeforeAll
    static void runTheDemoWithAReport() throws Exception {
        reportDir = dir.resolve("report");
        CliRun r = CliRun.run("demo", "--json", "--ram", "64M", "--ab", "64M", "--random", "0",
                "--report", reportDir.toString());
        assertThat(r.exit()).as("demo: %s", r.err()).isZero();
        demo = Json.MAPPER.readTree(r.out());
        html = Files.readString(reportDir.resolve("report.html"));
    }

    @Test
    void demoNamesItsReportAndWritesThePngs() throws Exception {
        assertThat(demo.path("status").asText()).isEqualTo("completed");
        assertThat(Path.of(demo.path("report").asText())).isEqualTo(reportDir.resolve("report.html").toAbsolutePath());
        for (String png : List.of("remaining-over-time.png", "remaining-per-pass.png", "throughput.png",
                "downtime.png")) {
            assertThat(ImageIO.read(reportDir.resolve(png).toFile())).as(png).isNotNull();
        }
        assertThat(html).contains("<tr><th>downtime</th><td>" + demo.path("downtime").asLong() + " ms</td></tr>")
                .contains("<tr><th>passes</th><td>" + demo.path("dirty-sync-count").asLong() + "</td></tr>");
    }

    @Test
    void reportCommandWritesThePageFromTheDemosRecording() throws Exception {
        Path page = dir.resolve("again.html");
        CliRun r = CliRun.run("report", reportDir.resolve("migration.jfr").toString(), "-o", page.toString(),
                "--png", dir.resolve("png").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("report: " + page).contains("completed");
        assertThat(Files.readString(page)).contains("<tr><th>downtime</th><td>" + demo.path("downtime").asLong());
        assertThat(dir.resolve("png").resolve("downtime.png")).isRegularFile();
    }

    @Test
    void pageHasNoExternalReference() {
        assertThat(html).doesNotContainIgnoringCase("http:").doesNotContainIgnoringCase("https:");
        assertThat(Pattern.compile("(src|href)\\s*=\\s*['\"]?\\s*//", Pattern.CASE_INSENSITIVE).matcher(html).find())
                .isFalse();
        assertThat(Pattern.compile("url\\(\\s*['\"]?\\s*[^#'\"\\s]").matcher(html).find()).isFalse();
    }

    @Test
    void chromiumShowsTheCharts() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), () -> CHROMIUM + " is not installed (scripts/ensure-chromium "
                + "installs it as root): the browser check is skipped");
        Path shot = dir.resolve("screenshot.png");
        Path log = dir.resolve("chromium.log");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "profile-"),
                "--screenshot=" + shot, "--window-size=1280,2000", reportDir.resolve("report.html").toUri().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) { // a bound on a hung browser, not a timing expectation
            p.destroyForcibly();
        }
        assertThat(shot).as("chromium wrote no screenshot: %s", Files.exists(log) ? Files.readString(log) : "")
                .isRegularFile();
        BufferedImage img = ImageIO.read(shot.toFile());
        assertThat(img.getWidth()).isEqualTo(1280);
        assertThat(img.getHeight()).isEqualTo(2000);
        assertThat(distinctColours(img)).as("a blank or flat page has few colours").isGreaterThan(64);
        int[] seriesPerThird = seriesPixelsPerThird(img);
        assertThat(seriesPerThird[0]).as("the first chart, in the top third").isGreaterThan(300);
        assertThat(seriesPerThird[1] + seriesPerThird[2]).as("the charts below it").isGreaterThan(300);
    }

    private static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                colours.add(img.getRGB(x, y) & 0xffffff);
            }
        }
        return colours.size();
    }

    /** Pixels painted in a chart series' colour, in each third of the screenshot's height. */
    private static int[] seriesPixelsPerThird(BufferedImage img) {
        int[] counts = new int[3];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                for (int s : SERIES) {
                    if (near(rgb, s)) {
                        counts[Math.min(2, y * 3 / img.getHeight())]++;
                    }
                }
            }
        }
        return counts;
    }

    private static boolean near(int a, int b) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)) > 8) {
                return false;
            }
        }
        return true;
    }
}
