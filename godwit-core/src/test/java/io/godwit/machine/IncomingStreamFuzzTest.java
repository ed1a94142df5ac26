package io.godwit.machine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.godwit.clock.Clock;
import io.godwit.migration.IncomingMigration;
import io.godwit.migration.MigrationListener;
import io.godwit.migration.MigrationStatus;
import io.godwit.options.Capabilities;
import io.godwit.stream.ByteSink;
import io.godwit.stream.ByteSource;
import io.godwit.stream.Bytes;
import io.godwit.stream.RefusalProperty;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.ReturnPathReader;
import io.godwit.stream.ReturnPathType;
import io.godwit.stream.StreamInput;
import io.godwit.transport.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The destination's loader fed any stream, through {@link IncomingMigration} as a migration from
 * a socket is: once into a blank machine (which takes the source's RAM blocks and device state)
 * and once into a machine with RAM of its own. Each load completes and the machine runs, or it is
 * refused as {@link RefusalProperty} requires, the machine has not run, and a source that opened
 * the return path hears SHUT(1). Seeds (a Godwit stream, QEMU-like streams, QEMU 7.2 and 10.0
 * streams) are in IncomingStreamFuzzTestInputs; docs/fuzzing.md says how to fuzz it.
 */
class IncomingStreamFuzzTest {
    /** The RAM of the machine that has its own, as the Godwit seed's source had. */
    static final String RAM_BLOCK = "pc.ram";
    static final long RAM_SIZE = 64 << 10;

    @FuzzTest(maxDuration = "5m")
    void loadsOrRefuses(byte[] stream) throws IOException {
        try (Machine blank = new Machine("blank")) {
            receive(blank, stream);
        }
        try (Machine own = new Machine("own")) {
            own.addRam(RAM_BLOCK, RAM_SIZE);
            receive(own, stream);
        }
    }

    static void receive(Machine m, byte[] stream) throws IOException {
        InputConnection conn = new InputConnection(stream);
        IncomingMigration in = new IncomingMigration(m, conn, Capabilities.defaults(), Clock.system(),
                MigrationListener.NONE);
        in.run();
        if (in.status() == MigrationStatus.COMPLETED) {
            if (m.state() != RunState.RUNNING) {
                throw new AssertionError("load completed but the machine is " + m.state());
            }
            return;
        }
        if (in.status() != MigrationStatus.FAILED) {
            throw new AssertionError("incoming migration ended " + in.status());
        }
        RefusalProperty.checkStreamRefusal(in.failure(), stream.length);
        RefusalProperty.checkMessage(in.error(), in.failure());
        if (m.state() != RunState.INMIGRATE) {
            throw new AssertionError("a refused stream left the machine " + m.state() + ": " + in.error());
        }
        List<ReturnPathMessage> said = conn.returnPath();
        if (!said.isEmpty() && !said.getLast().equals(ReturnPathMessage.shut(1))) {
            throw new AssertionError("the source was not told the load failed: " + said);
        }
    }

    /**
     * A channel whose input is the stream, handed out in buffers of varying size so values cross
     * buffer boundaries, and whose output (the return path) is kept for the check.
     */
    static final class InputConnection implements Connection {
        private final ByteSource input;
        private final Bytes.Sink output = Bytes.sink();

        InputConnection(byte[] stream) {
            Random sizes = new Random(stream.length);
            this.input = Bytes.source(stream, () -> sizes.nextBoolean() ? 1 + sizes.nextInt(16) : 1 + sizes.nextInt(8192));
        }

        @Override
        public ByteSink output() {
            return output;
        }

        @Override
        public ByteSource input() {
            return input;
        }

        @Override
        public String uri() {
            return "memory:fuzz";
        }

        @Override
        public void close() {}

        List<ReturnPathMessage> returnPath() throws IOException {
            ReturnPathReader r = new ReturnPathReader(new StreamInput(Bytes.source(output.toByteArray(),
                    () -> Integer.MAX_VALUE)));
            List<ReturnPathMessage> out = new ArrayList<>();
            for (ReturnPathMessage msg; (msg = r.next()) != null; ) {
                if (msg.type() == ReturnPathType.SHUT && !out.isEmpty() && out.getLast().type() == ReturnPathType.SHUT) {
                    throw new AssertionError("SHUT sent twice");
                }
                out.add(msg);
            }
            return out;
        }
    }
}
