package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code --warm-up}: every part of it (QMP, plain, multifd, TLS x509 and PSK) runs to its end. */
class WarmUpTest {
    @Test
    void everyPartRunsWithoutAFailureReported() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            WarmUp.run(log);
        }
        String out = bytes.toString(StandardCharsets.UTF_8).strip();
        // a part that fails says so on its own line ("warm-up: TLS: ..."); only the total remains
        assertThat(out).as(out).matches("warm-up: \\d+ ms \\(\\d+ multifd rounds, \\d+ plain rounds\\)");
        // each part runs at least its minimum, more while the JIT still compiles
        Matcher m = Pattern.compile("(\\d+) multifd rounds, (\\d+) plain").matcher(out);
        assertThat(m.find()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isBetween(12, 24);
        assertThat(Integer.parseInt(m.group(2))).isBetween(8, 40);
    }
}
