/** End-to-end benchmarks behind {@code godwit bench}, and JMH micro-benchmarks. */
module io.godwit.bench {
    requires io.godwit.core;
    requires io.godwit.machine;
    requires io.godwit.launch;
    requires com.fasterxml.jackson.databind;
    requires jmh.core;
    requires org.bouncycastle.pkix; // the TLS benchmark's certificates
    requires org.bouncycastle.provider;
    requires jdk.management; // process CPU time of bench loopback's peers

    exports io.godwit.bench;
    exports io.godwit.bench.loopback;
    opens io.godwit.bench.jmh to jmh.core;
}
