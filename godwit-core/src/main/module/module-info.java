/**
 * The Godwit engine: QEMU's live-migration core in Java. Unqualified exports are what an embedder
 * uses (the API, the handler and device SPIs, the stream codec, options and statistics); the
 * machine, monitor, storage and transport internals are exported only to Godwit's own modules.
 */
module io.godwit.core {
    requires jdk.jfr;
    requires HdrHistogram; // post-copy page-wait percentiles

    exports io.godwit.clock;
    exports io.godwit.device;
    exports io.godwit.migration;
    exports io.godwit.options;
    exports io.godwit.ram;
    exports io.godwit.savevm;
    exports io.godwit.stats;
    exports io.godwit.stream;
    exports io.godwit.util.bitset;
    exports io.godwit.vcpu;

    exports io.godwit.bitmap to io.godwit.machine, io.godwit.inspect, io.godwit.qmp, io.godwit.bench, io.godwit.cli;
    exports io.godwit.block to io.godwit.machine, io.godwit.inspect, io.godwit.qmp, io.godwit.bench, io.godwit.cli;
    exports io.godwit.machine to io.godwit.machine, io.godwit.inspect, io.godwit.qmp, io.godwit.bench, io.godwit.cli;
    exports io.godwit.monitor to io.godwit.qmp, io.godwit.bench, io.godwit.cli;
    exports io.godwit.stattrib to io.godwit.machine, io.godwit.inspect, io.godwit.qmp, io.godwit.bench, io.godwit.cli;
    exports io.godwit.trace to io.godwit.machine, io.godwit.bench, io.godwit.cli;
    exports io.godwit.transport to io.godwit.inspect, io.godwit.qmp, io.godwit.launch, io.godwit.bench, io.godwit.cli;
}
