package io.godwit.bench;

import io.godwit.clock.Clock;
import io.godwit.machine.AbCheck;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.machine.RunState;
import io.godwit.migration.MigrationInfo;
import io.godwit.monitor.Monitor;
import io.godwit.monitor.MonitorEvents;
import io.godwit.options.Capability;
import io.godwit.ram.RamBlock;
import io.godwit.reference.workload.AbWorkload;
import io.godwit.reference.workload.MemoryFill;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The benchmark behind {@code godwit bench xbzrle}: two machines in this JVM over TCP loopback,
 * the source's RAM random and its a-b writer changing one byte per page at a set rate; the same
 * migration with xbzrle off and on, alternating, after one warm-up of each. Every run is checked:
 * the destination passes the a-b check and its digest equals the paused source's.
 */
public final class XbzrleBench {
    private static final long DEADLINE_NANOS = 120_000_000_000L;

    /** One migration: wire bytes, pages sent in any form, times; {@code xbzrle} null when off. */
    public record Run(boolean completed, long transferred, long pagesSent, double totalMs, long downtimeMs,
            long passes, MigrationInfo.XbzrleCache xbzrle) {
        /** Bytes on the wire per second. */
        public double wireMibps() {
            return transferred / (totalMs / 1000.0) / (1 << 20);
        }

        /** Pages delivered per second, as MiB of page contents. */
        public double pageMibps() {
            return pagesSent * (double) RamBlock.PAGE_SIZE / (totalMs / 1000.0) / (1 << 20);
        }
    }

    /** The runs of one case, and the one of median total time. */
    public record Case(boolean xbzrle, List<Run> runs) {
        public Run median() {
            List<Run> sorted = new ArrayList<>(runs);
            sorted.sort((a, b) -> Double.compare(a.totalMs(), b.totalMs()));
            return sorted.get(sorted.size() / 2);
        }
    }

    private final long size;
    private final long writeRate;
    private final long maxBandwidth;
    private final long downtimeLimitMs;
    private final long cacheSize;
    private final int runs;
    private final Consumer<String> log;

    /**
     * @param writeRate bytes of pages the writer dirties per second (a byte changed in each page)
     * @param maxBandwidth max-bandwidth, bytes/s (0: unlimited)
     */
    public XbzrleBench(long size, long writeRate, long maxBandwidth, long downtimeLimitMs, long cacheSize, int runs,
            Consumer<String> log) {
        if (size < (1 << 20) || writeRate <= 0 || maxBandwidth < 0 || runs < 1) {
            throw new IllegalArgumentException("expected a size of at least 1 MiB, a positive write rate, "
                    + "a max-bandwidth of 0 or more and at least one run");
        }
        this.size = size;
        this.writeRate = writeRate;
        this.maxBandwidth = maxBandwidth;
        this.downtimeLimitMs = downtimeLimitMs;
        this.cacheSize = cacheSize;
        this.runs = runs;
        this.log = log;
    }

    /** Runs off and on in turn; returns {off, on}. */
    public List<Case> run() throws Exception {
        migrate(false);
        migrate(true); // warm-ups
        List<Run> off = new ArrayList<>();
        List<Run> on = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            off.add(migrate(false));
            on.add(migrate(true));
        }
        return List.of(new Case(false, off), new Case(true, on));
    }

    private Run migrate(boolean xbzrle) throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst");
                Monitor out = new Monitor(src, Clock.system(), MonitorEvents.NONE);
                Monitor in = new Monitor(dst, Clock.system(), MonitorEvents.NONE)) {
            RamBlock ram = src.addRam("pc.ram", size);
            MemoryFill.random(ram, 42);
            for (long off = 0; off < size; off += RamBlock.PAGE_SIZE) {
                ram.putByte(off, (byte) 0); // the a-b writer's byte starts equal in every page
            }
            src.addWorkload(new AbWorkload(writeRate));
            src.start();
            out.setCapabilities(Map.of(Capability.XBZRLE, xbzrle));
            out.setParameters(Map.of(), Map.of(), Map.of(), Map.of("xbzrle-cache-size", cacheSize));
            out.setParameters(Map.of("max-bandwidth", maxBandwidth, "downtime-limit", downtimeLimitMs));
            out.migrate(in.migrateIncoming("tcp:127.0.0.1:0"));
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            MigrationInfo info;
            while (!(info = out.queryMigrate()).status().isTerminal() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            boolean completed = info.completed();
            if (!completed) {
                out.cancel();
                log.accept("xbzrle " + (xbzrle ? "on" : "off") + ": no switch within the deadline; cancelled");
                return new Run(false, info.ram().transferred(), pagesSent(info), info.totalTimeMs(), -1,
                        info.ram().dirtySyncCount(), info.xbzrleCache());
            }
            while (!in.queryMigrate().status().isTerminal()) {
                Thread.sleep(10);
            }
            dst.stop(RunState.PAUSED);
            if (!AbCheck.check(dst.ram()).passed()
                    || !MachineDigest.of(dst).overall().equals(MachineDigest.of(src).overall())) {
                throw new IllegalStateException("xbzrle " + xbzrle + ": the destination differs from the source");
            }
            Run r = new Run(true, info.ram().transferred(), pagesSent(info), info.totalTimeMs(), info.downtimeMs(),
                    info.ram().dirtySyncCount(), info.xbzrleCache());
            log.accept(String.format("xbzrle %s: %.1f MiB on the wire in %.0f ms, %d passes", xbzrle ? "on" : "off",
                    r.transferred() / 1048576.0, r.totalMs(), r.passes()));
            return r;
        }
    }

    private static long pagesSent(MigrationInfo i) {
        long encoded = i.xbzrleCache() == null ? 0 : i.xbzrleCache().pages();
        return i.ram().normal() + i.ram().duplicate() + encoded;
    }
}
