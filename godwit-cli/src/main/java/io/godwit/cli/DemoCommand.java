package io.godwit.cli;

import io.godwit.machine.AbCheck;
import io.godwit.machine.AbWorkload;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.migration.LocalMigration;
import io.godwit.migration.MigrationInfo;
import io.godwit.migration.MigrationListener;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo: a machine whose memory is being rewritten by the a-b writer migrates live to another
 * machine, and the copy is verified (a-b check, and a digest of the paused source against the
 * destination).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Migrate a running machine (a-b writer) live and verify the copy.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--ram", converter = Sizes.class, defaultValue = "256M",
            description = "RAM of the machine (default: ${DEFAULT-VALUE} bytes).")
    long ram;

    @Option(names = "--downtime-limit", defaultValue = "300", description = "downtime-limit in ms (default: ${DEFAULT-VALUE}).")
    long downtimeLimitMs;

    @Option(names = "--max-bandwidth", converter = Sizes.class, defaultValue = "0",
            description = "max-bandwidth in bytes/s, 0 for no limit (default: ${DEFAULT-VALUE}).")
    long maxBandwidth;

    @Option(names = "--json", description = "Print one JSON object instead of the text summary.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintStream log = System.err;
        Parameters params = Parameters.defaults().withDowntimeLimitMs(downtimeLimitMs).withMaxBandwidth(maxBandwidth);
        try (Machine src = new Machine("source"); Machine dst = new Machine("destination")) {
            src.addRam("pc.ram", ram);
            dst.addRam("pc.ram", ram);
            AbWorkload ab = new AbWorkload();
            src.addWorkload(ab);
            src.start();
            log.printf("source: %s RAM, a-b writer running; destination: %s RAM, in this JVM%n",
                    Sizes.format(ram), Sizes.format(ram));
            while (ab.sweeps() < 1) {
                Thread.sleep(10); // let the writer touch every page once before migrating
            }
            log.printf("migrating (downtime-limit %d ms, max-bandwidth %s)...%n", downtimeLimitMs,
                    maxBandwidth == 0 ? "unlimited" : Sizes.format(maxBandwidth) + "/s");
            LocalMigration m = new LocalMigration(src, dst, params, Capabilities.of(Capability.RETURN_PATH),
                    MigrationListener.NONE);
            LocalMigration.Result r;
            try (Progress p = new Progress(() -> m.source().info(), log, 200)) {
                r = m.start().await(Duration.ofMinutes(10));
            }
            Map<String, Object> out = summary(r.source());
            Map<String, Object> verification = new LinkedHashMap<>();
            boolean ok = r.completed();
            if (ok) {
                AbCheck.Result abResult = AbCheck.check(dst);
                MachineDigest.Digest srcDigest = MachineDigest.of(src);
                MachineDigest.Digest dstDigest = MachineDigest.of(dst);
                boolean digestOk = srcDigest.equals(dstDigest);
                verification.put("ab", abResult.passed() ? "passed" : "failed");
                verification.put("digest", digestOk ? "passed" : "failed");
                verification.put("ab-bad-pages", abResult.badPages());
                verification.put("ab-bad-offsets", abResult.badOffsets());
                verification.put("ab-value", abResult.value());
                verification.put("source-digest", srcDigest.overall());
                verification.put("destination-digest", dstDigest.overall());
                ok = abResult.passed() && digestOk;
            } else {
                verification.put("ab", "failed");
                verification.put("digest", "failed");
                out.put("destination-error", r.destinationError());
            }
            out.put("verification", verification);
            if (json) {
                System.out.println(Json.write(out));
            } else {
                printText(System.out, r.source(), verification);
            }
            return ok ? 0 : 1;
        }
    }

    static Map<String, Object> summary(MigrationInfo s) {
        Map<String, Object> out = new LinkedHashMap<>(s.toQmp());
        out.put("dirty-sync-count", s.ram().dirtySyncCount());
        out.put("downtime", s.downtimeMs());
        out.put("throughput-mibps", s.totalTimeMs() > 0
                ? Math.round(s.ram().transferred() / 1048576.0 / (s.totalTimeMs() / 1000.0)) : 0);
        return out;
    }

    private static void printText(PrintStream o, MigrationInfo s, Map<String, Object> v) {
        o.printf("%nmigration %s%n", s.status().qmpName);
        if (s.errorDesc() != null) {
            o.printf("  error:          %s%n", s.errorDesc());
        }
        o.printf("  total time:     %d ms (setup %d ms)%n", s.totalTimeMs(), s.setupTimeMs());
        o.printf("  downtime:       %d ms%n", s.downtimeMs());
        o.printf("  passes:         %d (dirty-sync-count)%n", s.ram().dirtySyncCount());
        o.printf("  transferred:    %s (%d pages, %d zero pages; RAM %s)%n", Sizes.format(s.ram().transferred()),
                s.ram().normal(), s.ram().duplicate(), Sizes.format(s.ram().total()));
        o.printf("  throughput:     %s/s%n", Sizes.format(s.totalTimeMs() > 0
                ? s.ram().transferred() / (s.totalTimeMs() / 1000.0) : 0));
        o.printf("verification%n");
        o.printf("  a-b check:      %s (bad pages: %s)%n", v.get("ab"), v.getOrDefault("ab-bad-pages", "-"));
        o.printf("  digest:         %s%n", v.get("digest"));
        if (v.containsKey("source-digest")) {
            o.printf("    source      %s%n    destination %s%n", v.get("source-digest"), v.get("destination-digest"));
        }
    }
}
