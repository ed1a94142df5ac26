package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The demo's progress lines: a dirty rate once the first pass is over, and every pass in turn. */
class DemoProgressTest {
    private static final Pattern LINE = Pattern.compile(
            "^pass (\\d+) \\| transferred .* \\| remaining .* \\| dirty (\\S+)(?: (\\S+))? \\| expected downtime .* \\| eta .*$");

    private record Sample(long pass, String dirty) {}

    @Test
    void showsADirtyRateFromTheSecondPassOnAndEveryPass() {
        // 128 MiB rewritten at 128 MiB/s over a 256 MiB/s link: a few passes of shrinking length
        assertProgress(CliRun.run("demo", "--ram", "128M", "--ab", "64M", "--random", "64M", "--max-bandwidth", "256M",
                "--downtime-limit", "50"));
    }

    @Test
    void inProcessDemoShowsTheSame() {
        assertProgress(CliRun.run("demo", "--in-process", "--ram", "64M", "--ab", "64M", "--max-bandwidth", "128M",
                "--downtime-limit", "50"));
    }

    private static void assertProgress(CliRun r) {
        assertThat(r.exit()).as(r.err()).isZero();
        List<Sample> samples = new ArrayList<>();
        for (String l : r.err().split("\n")) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) {
                samples.add(new Sample(Long.parseLong(m.group(1)), m.group(3) == null ? m.group(2)
                        : m.group(2) + " " + m.group(3)));
            }
        }
        assertThat(samples).as(r.err()).hasSizeGreaterThanOrEqualTo(2);
        long expected = 1;
        for (Sample s : samples) {
            assertThat(s.pass()).as("passes in turn: %s", samples).isIn(expected, expected + 1);
            if (s.pass() == expected + 1) {
                expected++;
            }
            if (s.pass() >= 2) {
                assertThat(s.dirty()).as("dirty rate of pass %d", s.pass()).endsWith("/s")
                        .doesNotStartWith("0 ").doesNotStartWith("0.0 ");
            }
        }
        assertThat(samples.getFirst().pass()).isEqualTo(1);
        assertThat(expected).as("passes shown: %s", samples).isGreaterThanOrEqualTo(2);
    }
}
