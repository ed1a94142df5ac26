/** The {@code godwit} command (picocli). */
module io.godwit.cli {
    requires io.godwit.core;
    requires io.godwit.machine;
    requires io.godwit.inspect;
    requires io.godwit.report;
    requires io.godwit.qmp;
    requires io.godwit.launch;
    requires io.godwit.bench;
    requires io.godwit.examples.kv;
    requires org.bouncycastle.tls; // tls-creds-psk (optional in the engine, part of the command)
    requires jmh.core;
    requires info.picocli;
    requires java.net.http;
    requires java.management; // the warm-up watches the JIT's compilation time
    requires com.fasterxml.jackson.databind;

    opens io.godwit.cli to info.picocli;
}
