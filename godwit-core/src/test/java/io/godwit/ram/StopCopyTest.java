package io.godwit.ram;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.VirtualClock;
import io.godwit.options.Capabilities;
import io.godwit.savevm.LoadContext;
import io.godwit.savevm.SaveContext;
import io.godwit.stats.MigrationCounters;
import io.godwit.stream.StreamInput;
import io.godwit.stream.StreamOutput;
import io.godwit.transport.MemoryPipe;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stop-copy sends what was written after the last pass: the final sync happens with writers stopped. */
class StopCopyTest {

    @Test
    void pageWrittenAfterItsPassIsSentAtStopCopyWithoutAnotherExactSync() throws Exception {
        MemoryPipe pipe = new MemoryPipe(1 << 16, 64);
        try (RamBlock src = new RamBlock("pc.ram", 64 * 4096, false);
                RamBlock dst = new RamBlock("pc.ram", 64 * 4096, false)) {
            src.putLong(5 * 4096, 0x1111);
            RamHandler saver = new RamHandler(() -> List.of(src));
            StreamOutput out = new StreamOutput(pipe.sink());
            SaveContext ctx = new SaveContext(out, new VirtualClock(), Capabilities.defaults(), new MigrationCounters(),
                    () -> false);
            saver.saveSetup(ctx);
            assertThat(saver.saveLiveIterate(ctx)).as("first pass sends every page").isTrue();

            src.putLong(9 * 4096 + 8, 0x2222); // after its pass, before the stop
            saver.saveLiveCompletePrecopy(ctx);
            out.close();

            RamHandler loader = new RamHandler(() -> List.of(dst));
            StreamInput in = new StreamInput(pipe.source());
            LoadContext lctx = new LoadContext(in, Capabilities.defaults(), () -> {});
            loader.loadSetup(lctx);
            for (int section = 0; section < 3; section++) {
                loader.loadState(lctx, RamHandler.VERSION);
            }
            assertThat(dst.getLong(5 * 4096)).isEqualTo(0x1111);
            assertThat(dst.getLong(9 * 4096 + 8)).isEqualTo(0x2222);
            assertThat(in.hasMore()).isFalse();
        }
    }
}
