/**
 * The Godwit engine: QEMU's live-migration core in Java. Unqualified exports are what an embedder
 * uses: the embedding API, the machine and its management facade, the handler, device, workload
 * and dirty-tracker SPIs, the stream codec, options and statistics. The disk, bitmap, storage
 * attribute, trace and transport internals are exported only to Godwit's own modules.
 */
module io.godwit.core {
    requires jdk.jfr;
    requires HdrHistogram; // post-copy page-wait percentiles
    requires jdk.management; // host memory, for a blank destination's RAM limit
    requires jdk.net; // TCP keepalive timing on migration sockets
    requires java.naming; // LdapName: the common names of a certificate's subject
    requires static org.bouncycastle.tls; // only tls-creds-psk needs it
    requires com.github.luben.zstd_jni; // multifd-compression=zstd

    exports io.godwit.api;
    exports io.godwit.clock;
    exports io.godwit.device;
    exports io.godwit.dirtyrate;
    exports io.godwit.machine;
    exports io.godwit.migration;
    exports io.godwit.monitor;
    exports io.godwit.options;
    exports io.godwit.plan;
    exports io.godwit.ram;
    exports io.godwit.savevm;
    exports io.godwit.stats;
    exports io.godwit.stream;
    exports io.godwit.util.bitset;
    exports io.godwit.vcpu;

    exports io.godwit.bitmap to io.godwit.machine, io.godwit.inspect, io.godwit.qmp, io.godwit.bench, io.godwit.cli;
    exports io.godwit.block to io.godwit.machine, io.godwit.inspect, io.godwit.qmp, io.godwit.bench, io.godwit.cli;
    exports io.godwit.stattrib to io.godwit.machine, io.godwit.inspect, io.godwit.qmp, io.godwit.bench, io.godwit.cli;
    exports io.godwit.trace to io.godwit.machine, io.godwit.bench, io.godwit.report, io.godwit.cli;
    exports io.godwit.transport to io.godwit.inspect, io.godwit.qmp, io.godwit.launch, io.godwit.bench, io.godwit.cli;
    exports io.godwit.transport.tls to io.godwit.qmp, io.godwit.bench, io.godwit.cli;
}
