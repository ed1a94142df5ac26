package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.stream.Command;
import io.godwit.stream.PostcopyAdvise;
import io.godwit.stream.RamDiscard;
import io.godwit.stream.ReturnPathMessage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Post-copy commands the destination refuses (savevm.c loadvm_postcopy_handle_*): each refusal
 * fails the migration with one line naming what was wrong, says SHUT(1) to the source, and leaves
 * the machine stopped.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostcopyDestinationRefusalTest {
    static final long SIZE = 16 * 4096;
    static final Command ADVISE = new PostcopyAdvise(4096, 4096).toCommand();

    final Machine dst = new Machine("destination");

    PostcopyDestinationRefusalTest() {
        dst.addRam("pc.ram", SIZE);
    }

    @AfterEach
    void close() {
        dst.close();
    }

    private static Command discard(String block, long start, long length) {
        return new RamDiscard(block, List.of(new RamDiscard.Range(start, length))).toCommand();
    }

    /** Runs the stream the source wrote against a destination with {@code caps}; returns its error. */
    private String refused(Capabilities caps, HandDrivenSource src) throws Exception {
        src.flush();
        IncomingMigration in = new IncomingMigration(dst, src.destinationEnd(), caps, Clock.system(),
                MigrationListener.NONE);
        in.start();
        assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(src.nextNotPong()).isEqualTo(ReturnPathMessage.shut(1));
        assertThat(dst.state()).isNotEqualTo(RunState.RUNNING);
        return in.error();
    }

    private String refused(HandDrivenSource src) throws Exception {
        return refused(Capabilities.of(Capability.POSTCOPY_RAM), src);
    }

    @Test
    void refusesAdviseWhenPostcopyRamIsOffHere() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE);
            assertThat(refused(Capabilities.defaults(), src))
                    .contains("RAM postcopy is disabled but have 16 byte advise").contains("at byte offset");
        }
    }

    @Test
    void refusesPostcopyIntoMemoryWrittenWithoutTheBlocksMethods() throws Exception {
        io.godwit.ram.DirtyTracker direct = new io.godwit.ram.DirtyTracker() {
            @Override
            public String name() {
                return "kernel";
            }

            @Override
            public void start(io.godwit.ram.RamBlock block) {}

            @Override
            public void collect(io.godwit.ram.RamBlock block) {}

            @Override
            public void stop(io.godwit.ram.RamBlock block) {}
        };
        dst.addRam("direct", 4096, false, direct);
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE);
            assertThat(refused(src)).contains("RAM block 'direct' is written directly (dirty tracker 'kernel')");
        }
    }

    @Test
    void refusesAnEmptyAdviseWhenPostcopyRamIsOnHere() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(PostcopyAdvise.empty());
            assertThat(refused(src)).contains("RAM postcopy is enabled but have 0 byte advise");
        }
    }

    @Test
    void refusesOtherPageSizes() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(new PostcopyAdvise(4096 | (2 << 20), 4096).toCommand());
            assertThat(refused(src)).contains("Postcopy needs matching RAM page sizes (s=201000 d=1000)");
        }
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(new PostcopyAdvise(4096, 65536).toCommand());
            assertThat(refused(src)).contains("Postcopy needs matching target page sizes (s=65536 d=4096)");
        }
    }

    @Test
    void refusesASecondAdvise() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).command(ADVISE);
            assertThat(refused(src)).contains("CMD_POSTCOPY_ADVISE in wrong postcopy state (advise)");
        }
    }

    @Test
    void refusesADiscardBeforeTheAdvise() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().ramStart(SIZE).command(discard("pc.ram", 0, 4096));
            assertThat(refused(src)).contains("CMD_POSTCOPY_RAM_DISCARD in wrong postcopy state (none)");
        }
    }

    @Test
    void refusesADiscardOfAnUnknownBlockOrOutsideTheBlock() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).command(discard("pc.rom", 0, 4096));
            assertThat(refused(src)).contains("ram_discard_range: Failed to find block 'pc.rom'");
        }
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).command(discard("pc.ram", 15 * 4096, 2 * 4096));
            assertThat(refused(src)).contains("ram_block_discard_range: Overrun block 'pc.ram' (0xf000/0x2000/0x10000)");
        }
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).command(discard("pc.ram", 100, 4096));
            assertThat(refused(src)).contains("ram_block_discard_range: Unaligned start address: 0x64");
        }
    }

    @Test
    void refusesListenOrRunOutsideAPackage() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).command(Command.postcopyListen());
            assertThat(refused(src)).contains("POSTCOPY_LISTEN outside a package; expected it inside PACKAGED");
        }
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).command(Command.postcopyRun());
            assertThat(refused(src)).contains("POSTCOPY_RUN outside a package");
        }
    }

    @Test
    void refusesRunBeforeListen() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).packaged(Command.postcopyRun());
            assertThat(refused(src)).contains("CMD_POSTCOPY_RUN in wrong postcopy state (advise)");
        }
    }

    @Test
    void refusesAPackageThatDoesNotRunTheMachine() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).packaged(Command.postcopyListen(), Command.ping(3));
            assertThat(refused(src)).contains("ended without POSTCOPY_RUN");
        }
    }

    @Test
    void refusesPostcopyCommandsOfTheMainStreamInsideAPackage() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).packaged(Command.postcopyListen(), discard("pc.ram", 0, 4096));
            assertThat(refused(src)).contains("POSTCOPY_RAM_DISCARD inside a package; expected it in the main stream");
        }
    }

    @Test
    void refusesEndOfStateInsideAPackage() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE);
            io.godwit.stream.MemorySink sink = new io.godwit.stream.MemorySink(1 << 20);
            io.godwit.stream.StreamOutput p = new io.godwit.stream.StreamOutput(sink);
            new io.godwit.stream.MigrationStreamWriter(p).eof();
            p.flush();
            src.writer().packaged(sink.toByteArray());
            assertThat(refused(src)).contains("EOF in a post-copy package; expected sections and commands only");
        }
    }

    @Test
    void refusesRecoveryCommandsWhenNotRecovering() throws Exception {
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).command(new io.godwit.stream.RecvBitmap("pc.ram").toCommand());
            assertThat(refused(src)).contains("RECV_BITMAP: invalid state; expected it while recovering post-copy");
        }
        try (HandDrivenSource src = new HandDrivenSource()) {
            src.start().command(ADVISE).ramStart(SIZE).command(Command.postcopyResume());
            assertThat(refused(src)).contains("POSTCOPY_RESUME: illegal resume received");
        }
    }
}
