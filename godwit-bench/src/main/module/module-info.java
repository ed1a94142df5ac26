/** End-to-end benchmarks behind {@code godwit bench}, and JMH micro-benchmarks. */
module io.godwit.bench {
    requires io.godwit.core;
    requires io.godwit.machine;
    requires io.godwit.launch;
    requires com.fasterxml.jackson.databind;
    requires jmh.core;
    requires org.bouncycastle.pkix; // the TLS benchmark's certificates
    requires org.bouncycastle.provider;

    exports io.godwit.bench;
    opens io.godwit.bench.jmh to jmh.core;
}
