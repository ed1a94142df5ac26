package io.godwit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code --warm-up}: every part of it (plain, multifd, TLS x509 and PSK) runs to its end. */
class WarmUpTest {
    @Test
    void everyPartRunsWithoutAFailureReported() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            WarmUp.run(log);
        }
        String out = bytes.toString(StandardCharsets.UTF_8).strip();
        // a part that fails says so on its own line ("warm-up: TLS: ..."); only the total remains
        assertThat(out).as(out).matches("warm-up: \\d+ ms");
    }
}
