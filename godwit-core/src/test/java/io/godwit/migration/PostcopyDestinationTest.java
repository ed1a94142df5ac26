package io.godwit.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.clock.Clock;
import io.godwit.machine.Machine;
import io.godwit.machine.RunState;
import io.godwit.options.Capabilities;
import io.godwit.options.Capability;
import io.godwit.ram.RamBlock;
import io.godwit.stream.Command;
import io.godwit.stream.PageRequest;
import io.godwit.stream.PostcopyAdvise;
import io.godwit.stream.RamDiscard;
import io.godwit.stream.ReturnPathMessage;
import io.godwit.stream.ReturnPathType;
import io.godwit.stream.StreamConstants;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The destination in post-copy, against a source the test plays record by record: after RUN the
 * machine runs; an access to a page that has not arrived asks the source for it and waits until it
 * is placed; a page that has arrived is never overwritten by a late copy.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostcopyDestinationTest {
    static final long SIZE = 16 * 4096;
    static final Capabilities POSTCOPY = Capabilities.of(Capability.POSTCOPY_RAM, Capability.POSTCOPY_BLOCKTIME);
    static final Command ADVISE = new PostcopyAdvise(4096, 4096).toCommand();

    final Machine dst = new Machine("destination");
    final RamBlock block = dst.addRam("pc.ram", SIZE);
    final StatusRecorder recorder = new StatusRecorder(Clock.system());

    @AfterEach
    void close() {
        dst.close();
    }

    private IncomingMigration incoming(HandDrivenSource src) {
        IncomingMigration in = new IncomingMigration(dst, src.destinationEnd(), POSTCOPY, Clock.system(), recorder);
        in.start();
        return in;
    }

    static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    private static boolean parked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    private static Command discard(long page, long pages) {
        return new RamDiscard("pc.ram", List.of(new RamDiscard.Range(page << 12, pages << 12))).toCommand();
    }

    /** Every page arrives in pre-copy as 0x11; pages 5 and 9..11 are dirtied on the source, then RUN. */
    static HandDrivenSource switchedOver() throws Exception {
        HandDrivenSource src = new HandDrivenSource();
        src.start().command(ADVISE).ramStart(SIZE).pages(false, 0x11, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                14, 15);
        src.command(discard(5, 1)).command(discard(9, 3)).command(Command.ping(2));
        src.packaged(Command.postcopyListen(), Command.ping(3), Command.ping(StreamConstants.PING_PACKAGED_LOADED),
                Command.postcopyRun());
        src.command(Command.ping(4)).flush();
        return src;
    }

    @Test
    void aMissingPageIsAskedForAndTheAccessWaitsUntilItArrives() throws Exception {
        try (HandDrivenSource src = switchedOver()) {
            IncomingMigration in = incoming(src);
            // PING 4 follows the package in the main stream, which the listen thread reads meanwhile
            List<ReturnPathMessage> pongs = List.of(src.next(), src.next(), src.next(), src.next());
            assertThat(pongs).containsExactlyInAnyOrder(ReturnPathMessage.pong(2), ReturnPathMessage.pong(3),
                    ReturnPathMessage.pong(StreamConstants.PING_PACKAGED_LOADED), ReturnPathMessage.pong(4));
            assertThat(pongs.getFirst()).isEqualTo(ReturnPathMessage.pong(2));
            assertThat(pongs.indexOf(ReturnPathMessage.pong(3)))
                    .isLessThan(pongs.indexOf(ReturnPathMessage.pong(StreamConstants.PING_PACKAGED_LOADED)));
            waitUntil(() -> dst.state() == RunState.RUNNING, "the destination runs");
            assertThat(in.status()).isEqualTo(MigrationStatus.POSTCOPY_ACTIVE);
            assertThat(block.getByte(3L << 12)).as("a page that arrived is read at once").isEqualTo((byte) 0x11);

            CompletableFuture<Byte> read = new CompletableFuture<>();
            Thread reader = Thread.ofPlatform().start(() -> read.complete(block.getByte((5L << 12) + 7)));
            assertThat(src.nextNotPong()).isEqualTo(new PageRequest("pc.ram", 0x5000, 4096).toMessage());
            CompletableFuture<Void> write = new CompletableFuture<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                block.putByte((9L << 12) + 1, (byte) 0x77);
                write.complete(null);
            });
            assertThat(src.nextNotPong()).as("the same block: no name").isEqualTo(new PageRequest(null, 0x9000, 4096).toMessage());
            waitUntil(() -> parked(reader) && parked(writer), "both accesses wait");
            assertThat(read).isNotDone();
            assertThat(write).isNotDone();

            src.pages(false, 0x55, 5).pages(false, 0x99, 9).flush();
            assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo((byte) 0x55);
            write.get(20, TimeUnit.SECONDS);
            assertThat(block.getByte(9L << 12)).isEqualTo((byte) 0x99);
            assertThat(block.getByte((9L << 12) + 1)).as("written after the page arrived").isEqualTo((byte) 0x77);

            block.putByte(3L << 12, (byte) 0x3a);
            src.pages(false, 0x33, 3).pages(true, 0, 10, 11).eof().flush();
            assertThat(src.nextNotPong()).isEqualTo(ReturnPathMessage.shut(0));
            assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(in.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(block.getByte(3L << 12)).as("a late copy never overwrites what the machine wrote")
                    .isEqualTo((byte) 0x3a);
            assertThat(block.getByte(10L << 12)).isZero();
            assertThat(block.incoming()).as("accesses stop checking once every page is here").isNull();
            assertThat(recorder.path()).containsExactly(MigrationStatus.NONE, MigrationStatus.SETUP,
                    MigrationStatus.ACTIVE, MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.COMPLETED);
            MigrationInfo.Postcopy pc = in.info().postcopy();
            assertThat(pc.requests()).isEqualTo(2);
            assertThat(pc.faultLatency().count()).isEqualTo(2);
            assertThat(pc.bytes()).as("pages 5, 9, 10, 11 placed after the switch").isEqualTo(4 * 4096);
            assertThat(pc.blocktimeMs()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void threadsWaitingForOnePageShareOneRequest() throws Exception {
        try (HandDrivenSource src = switchedOver()) {
            IncomingMigration in = incoming(src);
            waitUntil(() -> dst.state() == RunState.RUNNING, "the destination runs");
            Thread[] readers = new Thread[4];
            byte[] seen = new byte[readers.length];
            for (int i = 0; i < readers.length; i++) {
                int k = i;
                readers[i] = Thread.ofPlatform().start(() -> seen[k] = block.getByte((10L << 12) + k));
            }
            assertThat(src.nextNotPong()).isEqualTo(new PageRequest("pc.ram", 0xa000, 4096).toMessage());
            for (Thread t : readers) {
                waitUntil(() -> parked(t), "every reader waits");
            }
            src.pages(false, 0x42, 10).flush();
            for (Thread t : readers) {
                t.join(20_000);
            }
            assertThat(seen).containsOnly((byte) 0x42);
            src.pages(true, 0x01, 5, 9, 11).eof().flush();
            assertThat(src.nextNotPong()).as("no other request was sent").isEqualTo(ReturnPathMessage.shut(0));
            assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(in.info().postcopy().requests()).isEqualTo(1);
        }
    }

    @Test
    void aBulkReaderAsksForEachRunOfMissingPagesAtOnce() throws Exception {
        try (HandDrivenSource src = switchedOver()) {
            IncomingMigration in = incoming(src);
            waitUntil(() -> dst.state() == RunState.RUNNING, "the destination runs");
            CompletableFuture<Void> all = CompletableFuture.runAsync(() -> block.awaitRange(0, SIZE));
            assertThat(src.nextNotPong()).isEqualTo(new PageRequest("pc.ram", 0x5000, 4096).toMessage());
            assertThat(src.nextNotPong()).isEqualTo(new PageRequest(null, 0x9000, 3 * 4096).toMessage());
            src.pages(true, 0x01, 5, 9, 10, 11).eof().flush();
            all.get(20, TimeUnit.SECONDS);
            assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(in.status()).isEqualTo(MigrationStatus.COMPLETED);
        }
    }

    @Test
    void aPausedPostcopyGivenUpFailsTheWaitingAccessesAndStopsTheMachine() throws Exception {
        HandDrivenSource src = switchedOver();
        IncomingMigration in = incoming(src);
        waitUntil(() -> dst.state() == RunState.RUNNING, "the destination runs");
        CompletableFuture<Byte> read = CompletableFuture.supplyAsync(() -> block.getByte(5L << 12));
        assertThat(src.nextNotPong().type()).isEqualTo(ReturnPathType.REQ_PAGES_ID);
        src.close();
        waitUntil(() -> in.status() == MigrationStatus.POSTCOPY_PAUSED, "the destination pauses");

        in.abandon(); // the process quits instead of recovering
        assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(read).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("page 0x5000 of RAM block 'pc.ram' never arrived: post-copy failed");
        assertThat(dst.state()).isEqualTo(RunState.PAUSED);
        assertThat(recorder.path()).endsWith(MigrationStatus.POSTCOPY_ACTIVE, MigrationStatus.POSTCOPY_PAUSED,
                MigrationStatus.FAILED);
    }

    @Test
    void theEndOfTheStreamWithPagesNeverSentFails() throws Exception {
        try (HandDrivenSource src = switchedOver()) {
            IncomingMigration in = incoming(src);
            waitUntil(() -> dst.state() == RunState.RUNNING, "the destination runs");
            src.pages(true, 0x01, 5).eof().flush();
            assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(in.status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(in.error()).isEqualTo("post-copy ended with 3 pages never sent");
            assertThat(src.nextNotPong()).isEqualTo(ReturnPathMessage.shut(1));
        }
    }

    /**
     * The link breaks while an access waits: the destination pauses, the machine keeps running and
     * the access keeps waiting. migrate-recover's connection brings RECV_BITMAP (answered with what
     * arrived), then POSTCOPY_RESUME: the waited-for page is asked for again, RESUME_ACK, and the
     * migration ends on the new connection.
     */
    @Test
    void aBrokenLinkPausesAndTheMigrationRecoversOnANewConnection() throws Exception {
        HandDrivenSource src = switchedOver();
        IncomingMigration in = incoming(src);
        waitUntil(() -> dst.state() == RunState.RUNNING, "the destination runs");
        CompletableFuture<Byte> read = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> read.complete(block.getByte(5L << 12)));
        assertThat(src.nextNotPong()).isEqualTo(new PageRequest("pc.ram", 0x5000, 4096).toMessage());
        src.close();
        waitUntil(() -> in.status() == MigrationStatus.POSTCOPY_PAUSED, "the destination pauses");
        assertThat(dst.state()).as("the machine runs on, paused or not").isEqualTo(RunState.RUNNING);
        waitUntil(() -> parked(reader), "the access waits");
        assertThat(read).as("the access still waits").isNotDone();

        try (HandDrivenSource src2 = new HandDrivenSource()) {
            in.recover(src2.destinationEnd());
            waitUntil(() -> in.status() == MigrationStatus.POSTCOPY_RECOVER, "the destination recovers");
            src2.command(new io.godwit.stream.RecvBitmap("pc.ram").toCommand()).flush();
            assertThat(src2.next()).isEqualTo(ReturnPathMessage.recvBitmap("pc.ram"));
            assertThat(src2.nextBitmap()).as("all but the discarded pages 5, 9, 10, 11").containsExactly(0xf1dfL);
            src2.command(Command.postcopyResume()).flush();
            assertThat(src2.next()).as("asked again, naming the block on the new connection")
                    .isEqualTo(new PageRequest("pc.ram", 0x5000, 4096).toMessage());
            assertThat(src2.next()).isEqualTo(ReturnPathMessage.resumeAck(StreamConstants.RESUME_ACK_VALUE));
            assertThat(in.status()).isEqualTo(MigrationStatus.POSTCOPY_ACTIVE);
            src2.pages(false, 0x55, 5).pages(true, 0x01, 9, 10, 11).eof().flush();
            assertThat(read.get(20, TimeUnit.SECONDS)).isEqualTo((byte) 0x55);
            assertThat(src2.nextNotPong()).isEqualTo(ReturnPathMessage.shut(0));
            assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(in.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(recorder.path()).containsSubsequence(MigrationStatus.POSTCOPY_ACTIVE,
                    MigrationStatus.POSTCOPY_PAUSED, MigrationStatus.POSTCOPY_RECOVER, MigrationStatus.POSTCOPY_ACTIVE,
                    MigrationStatus.COMPLETED);
        }
    }

    /** A machine closed in post-copy (the process quits) releases the accesses waiting for pages. */
    @Test
    void closingTheMachineReleasesAccessesWaitingForPages() throws Exception {
        try (HandDrivenSource src = switchedOver()) {
            IncomingMigration in = incoming(src);
            waitUntil(() -> dst.state() == RunState.RUNNING, "the destination runs");
            CompletableFuture<Byte> read = new CompletableFuture<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    read.complete(block.getByte(5L << 12));
                } catch (RuntimeException e) {
                    read.completeExceptionally(e);
                }
            });
            assertThat(src.nextNotPong().type()).isEqualTo(ReturnPathType.REQ_PAGES_ID);
            waitUntil(() -> parked(reader), "the access waits");

            in.abandon();
            dst.close();
            assertThat(read).failsWithin(Duration.ofSeconds(20))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("never arrived");
            assertThat(in.await(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
