package io.godwit.reference.device;

import io.godwit.device.DeviceState;

import io.godwit.device.PrecopyInfo;
import io.godwit.reference.device.SyntheticDevice;
import static io.godwit.device.DeviceState.PRE_COPY;
import static io.godwit.device.DeviceState.RESUMING;
import static io.godwit.device.DeviceState.RUNNING;
import static io.godwit.device.DeviceState.STOP;
import static io.godwit.device.DeviceState.STOP_COPY;
import static io.godwit.device.DeviceStreams.blocks;
import static io.godwit.device.DeviceStreams.drain;
import static io.godwit.device.DeviceStreams.readOnce;
import static io.godwit.device.DeviceStreams.write;
import static io.godwit.stream.Bytes.be32;
import static io.godwit.stream.Bytes.be64;
import static io.godwit.stream.Bytes.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.clock.VirtualClock;
import io.godwit.device.DeviceStreams.Block;
import io.godwit.vcpu.Pacers;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The synthetic device's data stream: one pass over its blocks as initial data, blocks written
 * after that pass reached them as dirty data, records of be64 offset, be32 length and bytes, and
 * what a destination in RESUMING refuses.
 */
class SyntheticDeviceTest {
    static final int BLOCK = 4096;
    static final int HEADER = 12;
    static final long BLOCKS_PER_SECOND = 1000;

    final VirtualClock clock = new VirtualClock();
    final WorkloadPacer pacer = Pacers.of(clock);

    static SyntheticDevice device(String id, int blocks, long seed) {
        return new SyntheticDevice(id, (long) blocks * BLOCK, 0, 0, false, seed);
    }

    /** A device whose activity changes about 1000 blocks a second of virtual time. */
    static SyntheticDevice dirtying(int blocks) {
        return new SyntheticDevice("dev", (long) blocks * BLOCK, BLOCKS_PER_SECOND * BLOCK, 0, false, 3);
    }

    /** Lets the device's activity run for one second of virtual time: about 1000 random writes. */
    void runActivity(Workload activity) {
        activity.step(pacer); // pacing starts now
        clock.advance(1_000_000_000L);
        activity.step(pacer);
    }

    /** Loads {@code stream} into a fresh destination of the same size and returns its digest. */
    static byte[] loaded(long size, byte[]... streams) {
        SyntheticDevice dest = new SyntheticDevice("dest", size, 0, 0, false, 99);
        dest.setState(RESUMING);
        for (byte[] s : streams) {
            write(dest, s);
        }
        dest.setState(STOP);
        return dest.digest();
    }

    @Test
    void refusesSizesThatAreNotWholeBlocksAndNegativeRates() {
        assertThatThrownBy(() -> new SyntheticDevice("d", 4095, 0, 0, false, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4095");
        assertThatThrownBy(() -> new SyntheticDevice("d", 0, 0, 0, false, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyntheticDevice("d", BLOCK, -1, 0, false, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SyntheticDevice("d", BLOCK, 0, -1, false, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "p2p {0}")
    @ValueSource(booleans = {true, false})
    void fullSaveLoadedIntoADestinationGivesEqualDigests(boolean p2p) {
        SyntheticDevice src = new SyntheticDevice("dev", 64 * BLOCK, 0, 0, p2p, 42);
        SyntheticDevice dest = new SyntheticDevice("dev", 64 * BLOCK, 0, 0, p2p, 43);
        assertThat(dest.digest()).isNotEqualTo(src.digest());

        src.setState(PRE_COPY);
        byte[] precopy = drain(src, HEADER + 10 * BLOCK);
        src.setState(STOP_COPY);
        byte[] stopCopy = drain(src);
        assertThat(precopy).hasSize(7 * HEADER + 64 * BLOCK);
        assertThat(stopCopy).as("nothing changed since pre-copy").isEmpty();

        dest.setState(RESUMING);
        write(dest, precopy);
        write(dest, stopCopy);
        dest.setState(STOP);
        assertThat(dest.digest()).isEqualTo(src.digest());
    }

    @Test
    void aSaveStraightInStopCopySendsTheWholeState() {
        SyntheticDevice src = device("dev", 16, 5);
        src.setState(STOP_COPY);
        assertThat(src.stopCopySize()).isEqualTo(16 * BLOCK);
        byte[] all = drain(src, HEADER + 3 * BLOCK);
        assertThat(blocks(all).stream().mapToLong(Block::length).sum()).isEqualTo(16 * BLOCK);
        assertThat(loaded(16 * BLOCK, all)).isEqualTo(src.digest());
    }

    @Test
    void destinationDecodesTheStreamInPiecesOfAnySize() {
        SyntheticDevice src = device("dev", 32, 8);
        src.setState(STOP_COPY);
        byte[] all = drain(src, HEADER + 5 * BLOCK);
        SplittableRandom r = new SplittableRandom(11);
        SyntheticDevice dest = device("dest", 32, 12);
        dest.setState(RESUMING);
        for (int at = 0; at < all.length; ) {
            int n = Math.min(all.length - at, 1 + r.nextInt(r.nextBoolean() ? 20 : 9000));
            dest.write(ByteBuffer.wrap(all, at, n));
            at += n;
        }
        dest.setState(STOP);
        assertThat(dest.digest()).isEqualTo(src.digest());
    }

    @Test
    void recordsAreOffsetLengthAndTheBytes() {
        SyntheticDevice src = device("dev", 2, 0); // seed 0: all zero
        src.setState(PRE_COPY);
        assertThat(readOnce(src, 1 << 20)).containsExactly(concat(be64(0), be32(2 * BLOCK), new byte[2 * BLOCK]));
    }

    @Test
    void readSendsWholeBlocksThatFitTheBuffer() {
        SyntheticDevice src = device("dev", 8, 1);
        src.setState(PRE_COPY);
        assertThat(readOnce(src, HEADER + BLOCK - 1)).as("no room for a block").isEmpty();
        assertThat(blocks(readOnce(src, HEADER + 3 * BLOCK - 1))).containsExactly(new Block(0, 2 * BLOCK));
        assertThat(blocks(readOnce(src, HEADER + 3 * BLOCK))).containsExactly(new Block(2 * BLOCK, 3 * BLOCK));
    }

    @Test
    void initialBytesShrinkAsTheFirstPassReads() {
        SyntheticDevice src = device("dev", 64, 2);
        src.setState(PRE_COPY);
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(64 * BLOCK, 0));
        for (int k = 1; k <= 8; k++) {
            assertThat(readOnce(src, HEADER + 8 * BLOCK)).hasSize(HEADER + 8 * BLOCK);
            assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo((64 - 8L * k) * BLOCK, 0));
            assertThat(src.stopCopySize()).isEqualTo((64 - 8L * k) * BLOCK);
        }
        assertThat(readOnce(src, 1 << 20)).as("nothing more for now").isEmpty();
    }

    @Test
    void aNewPreCopyStartsTheFirstPassAgain() {
        SyntheticDevice src = device("dev", 8, 2);
        src.setState(PRE_COPY);
        drain(src);
        assertThat(src.precopyInfo().initialBytes()).isZero();
        src.setState(RUNNING);
        assertThat(src.stopCopySize()).isEqualTo(8 * BLOCK);
        src.setState(PRE_COPY);
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(8 * BLOCK, 0));
    }

    @Test
    void blocksWrittenAfterTheFirstPassAreDirtyAndSentAgain() {
        SyntheticDevice src = dirtying(64);
        Workload activity = src.activity();
        src.setState(PRE_COPY);
        byte[] firstPass = drain(src);
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(0, 0));

        runActivity(activity);
        PrecopyInfo info = src.precopyInfo();
        assertThat(info.initialBytes()).isZero();
        assertThat(info.dirtyBytes()).isPositive().isLessThanOrEqualTo(64 * BLOCK);
        assertThat(info.dirtyBytes() % BLOCK).isZero();
        assertThat(src.stopCopySize()).isEqualTo(info.dirtyBytes());
        assertThat(loaded(src.size(), firstPass)).as("the first pass alone is stale").isNotEqualTo(src.digest());

        byte[] dirty = drain(src, HEADER + 4 * BLOCK);
        assertThat(blocks(dirty).stream().mapToLong(Block::length).sum()).isEqualTo(info.dirtyBytes());
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(0, 0));
        src.setState(STOP_COPY);
        assertThat(drain(src)).isEmpty();
        assertThat(loaded(src.size(), firstPass, dirty)).isEqualTo(src.digest());
    }

    @Test
    void dirtyBlocksAreCountedAndSentOnce() {
        SyntheticDevice src = dirtying(64);
        Workload activity = src.activity();
        src.setState(PRE_COPY);
        byte[] firstPass = drain(src);
        runActivity(activity);
        long dirty = src.precopyInfo().dirtyBytes();
        runActivity(activity); // the same blocks again, and others
        long more = src.precopyInfo().dirtyBytes();
        assertThat(more).isGreaterThanOrEqualTo(dirty).isLessThanOrEqualTo(64 * BLOCK);
        byte[] resent = drain(src);
        List<Block> records = blocks(resent);
        assertThat(records.stream().mapToLong(Block::length).sum()).isEqualTo(more);
        assertThat(covered(records)).as("each block once").hasSize((int) (more / BLOCK));
        assertThat(loaded(src.size(), firstPass, resent)).isEqualTo(src.digest());
    }

    /**
     * With the first pass at {@code cursor} blocks, writes all over the device count as dirty only
     * behind the cursor: the blocks ahead are still to be read, and are read once, fresh.
     */
    @ParameterizedTest(name = "cursor at block {0}")
    @ValueSource(ints = {0, 1, 32, 63, 64, 65, 95})
    void blocksAheadOfTheCursorAreNotDoubleCounted(int cursor) {
        SyntheticDevice src = dirtying(96);
        Workload activity = src.activity();
        src.setState(PRE_COPY);
        byte[] head = cursor == 0 ? new byte[0] : readOnce(src, HEADER + cursor * BLOCK);
        assertThat(blocks(head)).hasSize(cursor == 0 ? 0 : 1);

        runActivity(activity);
        PrecopyInfo info = src.precopyInfo();
        assertThat(info.initialBytes()).isEqualTo((96L - cursor) * BLOCK);
        assertThat(info.dirtyBytes()).isLessThanOrEqualTo((long) cursor * BLOCK);
        if (cursor > 0) {
            assertThat(info.dirtyBytes()).isPositive();
        }
        assertThat(src.stopCopySize()).isEqualTo(info.total());

        byte[] rest = drain(src, HEADER + 7 * BLOCK);
        List<Block> records = blocks(rest);
        long firstPass = records.stream().filter(b -> b.offset() >= (long) cursor * BLOCK).mapToLong(Block::length).sum();
        long resent = records.stream().filter(b -> b.offset() < (long) cursor * BLOCK).mapToLong(Block::length).sum();
        assertThat(firstPass).isEqualTo((96L - cursor) * BLOCK);
        assertThat(resent).isEqualTo(info.dirtyBytes());
        assertThat(covered(records)).as("no block twice").hasSize((int) ((firstPass + resent) / BLOCK));
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(0, 0));
        assertThat(loaded(src.size(), head, rest)).isEqualTo(src.digest());
    }

    /** The distinct blocks the records cover; fails on a block covered twice. */
    private static List<Long> covered(List<Block> records) {
        long[] all = records.stream()
                .flatMapToLong(b -> java.util.stream.LongStream.range(b.offset() / BLOCK, (b.offset() + b.length()) / BLOCK))
                .toArray();
        assertThat(Arrays.stream(all).distinct().count()).as("blocks sent twice").isEqualTo(all.length);
        return Arrays.stream(all).boxed().toList();
    }

    @Test
    void aStoppedDeviceChangesNothingUntilItsActivityRuns() {
        SyntheticDevice src = dirtying(16);
        assertThat(new SyntheticDevice("dev", 16 * BLOCK, 0, 0, false, 5).activity()).as("no dirty rate").isNull();
        Workload activity = src.activity();
        assertThat(activity.name()).isEqualTo("dev-activity");
        byte[] before = src.digest();
        runActivity(activity);
        assertThat(src.digest()).isNotEqualTo(before);
    }

    @Test
    void loadTimeFollowsTheLoadRate() {
        assertThat(new SyntheticDevice("d", BLOCK, 0, 4096_000, false, 1).loadNanos(4096)).isEqualTo(1_000_000);
        assertThat(new SyntheticDevice("d", BLOCK, 0, 2_000_000_000L, false, 1).loadNanos(3)).isEqualTo(1);
        assertThat(device("d", 1, 1).loadNanos(1 << 30)).isZero();
    }

    @Test
    void describeNamesSizeAndRates() {
        assertThat(new SyntheticDevice("d", 2 * BLOCK, 7, 9, false, 1).describe())
                .isEqualTo("synthetic 8192 bytes, dirty 7 B/s, load 9 B/s");
    }

    // ------------------------------------------------------------- refusals

    static byte[] header(long offset, long length) {
        return concat(be64(offset), be32((int) length));
    }

    @ParameterizedTest(name = "offset {0}")
    @ValueSource(longs = {16 * BLOCK, 15 * BLOCK + 1, 100, -BLOCK, Long.MIN_VALUE, Long.MAX_VALUE - (BLOCK - 1)})
    void refusesARecordOutsideTheState(long offset) {
        SyntheticDevice dest = device("dest", 16, 1);
        dest.setState(RESUMING);
        long length = offset == 100 ? BLOCK : 2 * BLOCK;
        assertThatThrownBy(() -> write(dest, concat(header(offset, length), new byte[(int) length])))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record at " + offset + " of " + length + " bytes outside the state of 65536 bytes");
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(longs = {BLOCK + 1, 2 * BLOCK, 0xffffffffL})
    void refusesARecordReachingPastTheEnd(long length) {
        SyntheticDevice dest = device("dest", 16, 1);
        dest.setState(RESUMING);
        assertThatThrownBy(() -> write(dest, header(15 * BLOCK, length)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("record at 61440 of " + length + " bytes outside the state");
    }

    @Test
    void acceptsARecordEndingExactlyAtTheEnd() {
        SyntheticDevice dest = device("dest", 16, 1);
        dest.setState(RESUMING);
        assertThatCode(() -> write(dest, concat(header(15 * BLOCK, BLOCK), new byte[BLOCK])))
                .doesNotThrowAnyException();
        assertThatCode(() -> write(dest, header(0, 0))).as("an empty record").doesNotThrowAnyException();
        dest.setState(STOP);
    }

    @ParameterizedTest(name = "{0} bytes of a record")
    @ValueSource(ints = {1, 11, 12, 13, 12 + BLOCK - 1})
    void refusesAStreamEndingInsideARecordAtResumingToStop(int cut) {
        SyntheticDevice dest = device("dest", 4, 1);
        dest.setState(RESUMING);
        byte[] record = concat(header(BLOCK, BLOCK), new byte[BLOCK]);
        write(dest, Arrays.copyOf(record, cut));
        assertThatThrownBy(() -> dest.setState(STOP)).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("RESUMING -> STOP failed")
                .hasMessageContaining("device dest: stream ended inside a record");
        assertThat(dest.state()).isEqualTo(DeviceState.ERROR);
    }

    @Test
    void aDestinationResetAfterAFailedLoadStartsClean() {
        SyntheticDevice dest = device("dest", 4, 1);
        dest.setState(RESUMING);
        write(dest, header(0, BLOCK));
        assertThatThrownBy(() -> dest.setState(STOP)).isInstanceOf(IllegalStateException.class);
        dest.reset();
        dest.setState(RESUMING);
        write(dest, concat(header(0, BLOCK), new byte[BLOCK]));
        assertThatCode(() -> dest.setState(STOP)).doesNotThrowAnyException();
    }

    @Test
    void dataStreamCallsAreRefusedInTheWrongStates() {
        SyntheticDevice d = device("d", 4, 1);
        assertThatThrownBy(() -> d.read(ByteBuffer.allocate(1 << 16))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reading the data stream is not allowed in state RUNNING");
        assertThatThrownBy(d::precopyInfo).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("VFIO_MIG_GET_PRECOPY_INFO is not allowed in state RUNNING");
        assertThatThrownBy(() -> write(d, header(0, 0))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("writing the data stream is not allowed in state RUNNING");
        d.setState(STOP_COPY);
        assertThatThrownBy(d::precopyInfo).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not allowed in state STOP_COPY");
        assertThatThrownBy(() -> write(d, header(0, 0))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not allowed in state STOP_COPY");
        d.setState(RESUMING);
        assertThatThrownBy(() -> d.read(ByteBuffer.allocate(1 << 16))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not allowed in state RESUMING");
        assertThatThrownBy(d::precopyInfo).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not allowed in state RESUMING");
    }
}
