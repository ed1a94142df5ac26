package io.godwit.report;

import io.godwit.machine.Machine;
import io.godwit.migration.LocalMigration;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.ram.RamBlock;
import io.godwit.reference.DeviceSpec;
import io.godwit.trace.TraceRecording;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * A real migration, recorded: 16 MiB of RAM with data and a cost-aware synthetic device, migrated
 * in-process with the return path at a bandwidth limit that makes it take several windows.
 */
final class RecordedMigration {
    static final long DOWNTIME_LIMIT_MS = 250;
    static final long MAX_BANDWIDTH = 64L << 20;

    private RecordedMigration() {}

    /** Records one migration into {@code file} and returns whether it completed. */
    static boolean record(Path file) throws Exception {
        try (TraceRecording rec = TraceRecording.start(file);
                Machine src = new Machine("source");
                Machine dst = new Machine("destination")) {
            RamBlock block = src.addRam("pc.ram", 16L << 20);
            dst.addRam("pc.ram", 16L << 20);
            byte[] page = new byte[RamBlock.PAGE_SIZE];
            for (long p = 0; p < block.pages(); p += 2) {
                page[0] = (byte) (p + 1);
                block.write(p * RamBlock.PAGE_SIZE, page, 0, page.length);
            }
            String device = "synthetic,id=dev0,size=1M,load-rate=100M,policy=cost-aware";
            DeviceSpec.add(src, device, 7);
            DeviceSpec.add(dst, device, 7);
            src.start();
            Parameters params = Parameters.defaults().withDowntimeLimitMs(DOWNTIME_LIMIT_MS)
                    .withMaxBandwidth(MAX_BANDWIDTH);
            LocalMigration.Result r = LocalMigration.run(src, dst, params, Capabilities.of(Capability.RETURN_PATH),
                    Duration.ofMinutes(2));
            return r.completed();
        }
    }

    /** The recording's events named {@code name}, in time order, read without the report's reader. */
    static List<RecordedEvent> events(Path file, String name) throws Exception {
        List<RecordedEvent> out = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals(name)) {
                out.add(e);
            }
        }
        out.sort(java.util.Comparator.comparing(RecordedEvent::getStartTime));
        return out;
    }
}
