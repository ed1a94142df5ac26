package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.MachineDigest;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.options.Parameters;
import io.godwit.ram.RamBlock;
import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.transport.Connection;
import io.godwit.transport.MemoryChannel;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A machine that takes long to stop (its workload's steps last 300 ms, and a pause waits for the
 * step under way) migrates over a link paced at 64 MiB/s, so that the bytes of the stop-copy take
 * as long as the bandwidth says. Decided on bandwidth x downtime-limit, the bytes alone would fill
 * the limit and the stop would come on top; with the stop counted, the downtime stays within it.
 */
class SlowStopDowntimeTest {
    private static final long MIB = 1 << 20;
    private static final long LINK = 64 * MIB;
    private static final long LIMIT_MS = 1000;
    private static final long STEP_MS = 300;

    @Test
    void aSlowStopIsCountedAndTheDowntimeStaysWithinTheLimit() throws Exception {
        try (Machine src = new Machine("src"); Machine dst = new Machine("dst")) {
            RamBlock ram = src.addRam("pc.ram", 160 * MIB);
            dst.addRam("pc.ram", 160 * MIB);
            fillRandom(ram);
            SlowSteps slow = new SlowSteps(STEP_MS);
            src.addWorkload(slow);
            src.start();
            while (slow.steps() < 2) { // a step measured before the migration starts
                Thread.sleep(10);
            }
            Capabilities caps = Capabilities.of(Capability.RETURN_PATH);
            MemoryChannel channel = new MemoryChannel();
            IncomingMigration in = new IncomingMigration(dst, channel.destinationEnd(), caps, Clock.system(),
                    MigrationListener.NONE);
            Migration out = new Migration(src, new Paced(channel.sourceEnd(), LINK),
                    Parameters.defaults().withMaxBandwidth(0).withDowntimeLimitMs(LIMIT_MS), caps, Clock.system(),
                    MigrationListener.NONE);
            in.start();
            out.start();
            assertThat(out.await(2, TimeUnit.MINUTES)).isTrue();
            assertThat(in.await(1, TimeUnit.MINUTES)).isTrue();

            MigrationInfo info = out.info();
            assertThat(info.status()).as("%s", info).isEqualTo(MigrationStatus.COMPLETED);
            SwitchCost fixed = out.switchCost();
            assertThat(fixed.stopNanos()).as("the stop estimate is the workload's step")
                    .isGreaterThanOrEqualTo(STEP_MS * 1_000_000);
            assertThat(info.ram().downtimeBytes()).as("the stop-copy carried bytes at the link's pace")
                    .isGreaterThan(LINK / 10);
            assertThat(info.downtimeMs()).as("downtime with fixed costs %s", fixed).isLessThanOrEqualTo(LIMIT_MS);
            assertThat(MachineDigest.of(dst)).isEqualTo(MachineDigest.of(src));
        }
    }

    private static void fillRandom(RamBlock ram) {
        SplittableRandom r = new SplittableRandom(7);
        for (long off = 0; off < ram.size(); off += 8) {
            ram.putLong(off, r.nextLong());
        }
    }

    /** A workload whose every step writes one long and then holds its vCPU for {@code ms}. */
    private static final class SlowSteps implements Workload {
        private final long ms;
        private RamBlock ram;
        private volatile long steps;

        SlowSteps(long ms) {
            this.ms = ms;
        }

        long steps() {
            return steps;
        }

        @Override
        public String name() {
            return "slow-steps";
        }

        @Override
        public void attach(List<RamBlock> blocks) {
            ram = blocks.getFirst();
        }

        @Override
        public void step(WorkloadPacer pacer) {
            ram.putLong(0, steps);
            LockSupport.parkNanos(ms * 1_000_000);
            steps++;
        }
    }

    /** The source's end of a channel whose output is paced at {@code bytesPerSecond}. */
    private record Paced(Connection inner, long bytesPerSecond, PacedSink sink) implements Connection {
        Paced(Connection inner, long bytesPerSecond) {
            this(inner, bytesPerSecond, new PacedSink(inner.output(), bytesPerSecond));
        }

        @Override
        public ByteSink output() {
            return sink;
        }

        @Override
        public ByteSource input() {
            return inner.input();
        }

        @Override
        public String uri() {
            return "paced:" + inner.uri();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    private static final class PacedSink implements ByteSink {
        private final ByteSink inner;
        private final long bytesPerSecond;
        private long start = -1;
        private long sent;

        PacedSink(ByteSink inner, long bytesPerSecond) {
            this.inner = inner;
            this.bytesPerSecond = bytesPerSecond;
        }

        @Override
        public ByteBuffer swap(ByteBuffer filled) throws IOException {
            if (filled != null) {
                if (start < 0) {
                    start = System.nanoTime();
                }
                sent += filled.remaining();
                long due = start + (long) (sent * 1e9 / bytesPerSecond);
                for (long wait; (wait = due - System.nanoTime()) > 0; ) {
                    LockSupport.parkNanos(wait);
                }
            }
            return inner.swap(filled);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }
}
