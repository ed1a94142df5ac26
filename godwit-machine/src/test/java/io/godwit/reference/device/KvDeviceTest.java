package io.godwit.reference.device;

import io.godwit.device.DeviceState;

import io.godwit.device.PrecopyInfo;
import io.godwit.reference.device.KvStore;
import io.godwit.reference.device.KvDevice;
import static io.godwit.device.DeviceState.PRE_COPY;
import static io.godwit.device.DeviceState.RESUMING;
import static io.godwit.device.DeviceState.RUNNING;
import static io.godwit.device.DeviceState.STOP;
import static io.godwit.device.DeviceState.STOP_COPY;
import static io.godwit.device.DeviceStreams.drain;
import static io.godwit.device.DeviceStreams.readOnce;
import static io.godwit.device.DeviceStreams.write;
import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.be16;
import static io.godwit.stream.Bytes.be32;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.u8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.clock.VirtualClock;
import io.godwit.vcpu.Pacers;
import io.godwit.vcpu.Workload;
import io.godwit.vcpu.WorkloadPacer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key-value device: a snapshot of the table as initial data, the log of mutations since as
 * dirty data, records of u8 op, be16 key length, key and, for a put, be32 value length and value;
 * a destination rebuilds the table and its index from them.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KvDeviceTest {
    /** A put record of a key-NNNNNNNNN key: op, length, 13 key bytes, value length, value. */
    static int putSize(int valueSize) {
        return 1 + 2 + 13 + 4 + valueSize;
    }

    static final int REMOVE_SIZE = 1 + 2 + 13;

    static byte[] value(int size, int fill) {
        byte[] v = new byte[size];
        Arrays.fill(v, (byte) fill);
        return v;
    }

    static byte[] put(String key, byte[] value) {
        return concat(u8(1), be16(key.length()), ascii(key), be32(value.length), value);
    }

    static byte[] remove(String key) {
        return concat(u8(2), be16(key.length()), ascii(key));
    }

    /** Everything the source sends from entering PRE_COPY: its snapshot and log, then STOP_COPY. */
    static void assertLoadsEqual(KvDevice src, KvDevice dest, byte[]... streams) {
        dest.setState(RESUMING);
        for (byte[] s : streams) {
            write(dest, s);
        }
        dest.setState(STOP);
        assertThat(dest.store().size()).isEqualTo(src.store().size());
        assertThat(dest.digest()).isEqualTo(src.digest());
    }

    @Test
    void refusesBadSizes() {
        assertThatThrownBy(() -> new KvDevice("kv", -1, 8, false, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvDevice("kv", 1, 0, false, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new KvDevice("kv", 1, 65537, false, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatCode(() -> new KvDevice("kv", 0, 65536, false, 1)).doesNotThrowAnyException();
    }

    @Test
    void startsWithItsKeysAndDescribesThem() {
        KvDevice d = new KvDevice("kv", 30, 16, false, 1);
        assertThat(d.store().size()).isEqualTo(30);
        assertThat(d.store().get("key-000000029")).hasSize(16);
        assertThat(d.store().get("key-000000030")).isNull();
        assertThat(d.describe()).isEqualTo("kv 30 keys, values of 16 bytes");
        assertThat(d.stopCopySize()).isEqualTo(30L * putSize(16));
    }

    @Test
    void snapshotRecordsAreWhatTheFormatSays() {
        KvDevice src = new KvDevice("kv", 0, 8, false, 1);
        src.store().put("b", value(3, 0xbb));
        src.store().put("a", value(2, 0xaa));
        src.setState(PRE_COPY);
        src.store().remove("a");
        assertThat(drain(src)).as("snapshot in key order, then the log").containsExactly(concat(
                put("a", value(2, 0xaa)), put("b", value(3, 0xbb)), remove("a")));
    }

    @Test
    void snapshotLoadedIntoADestinationGivesAnEqualStore() {
        KvDevice src = new KvDevice("kv", 200, 32, false, 1);
        KvDevice dest = new KvDevice("kv", 50, 32, false, 2);
        src.setState(PRE_COPY);
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(200L * putSize(32), 0));
        byte[] snapshot = drain(src, 1000);
        assertThat(snapshot).hasSize(200 * putSize(32));
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(0, 0));
        src.setState(STOP_COPY);
        assertLoadsEqual(src, dest, snapshot, drain(src));
    }

    @Test
    void initialBytesShrinkRecordByRecord() {
        KvDevice src = new KvDevice("kv", 10, 32, false, 1);
        src.setState(PRE_COPY);
        byte[] first = readOnce(src, 3 * putSize(32) + putSize(32) - 1);
        assertThat(first).as("only whole records").hasSize(3 * putSize(32));
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(7L * putSize(32), 0));
        assertThat(readOnce(src, putSize(32) - 1)).as("no room for one record").isEmpty();
    }

    @Test
    void mutationsAfterTheSnapshotArriveThroughTheLog() {
        KvDevice src = new KvDevice("kv", 100, 32, false, 1);
        KvDevice dest = new KvDevice("kv", 100, 32, false, 2);
        KvStore store = src.store();
        src.setState(PRE_COPY);
        byte[] part = readOnce(src, 10 * putSize(32)); // keys 0..9 sent

        store.put("key-000000003", value(32, 1)); // already sent
        store.put("key-000000050", value(32, 2)); // not sent yet: the snapshot still holds the old value
        store.remove("key-000000004"); // sent
        store.remove("key-000000060"); // not sent yet
        store.put("key-000000500", value(32, 3)); // new
        store.put("key-000000501", value(32, 4));
        store.remove("key-000000501"); // new and gone again
        assertThat(store.remove("key-000000999")).as("absent: nothing logged").isFalse();
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(90L * putSize(32), 4L * putSize(32) + 3 * REMOVE_SIZE));

        byte[] rest = drain(src, 700);
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(0, 0));
        store.put("key-000000004", value(32, 5)); // back again
        store.put("key-000000003", value(32, 6)); // changed twice
        assertThat(src.precopyInfo()).isEqualTo(new PrecopyInfo(0, 2L * putSize(32)));
        src.setState(STOP_COPY);
        assertThat(src.stopCopySize()).isEqualTo(2L * putSize(32));
        byte[] last = drain(src);
        assertThat(last).hasSize(2 * putSize(32));

        assertLoadsEqual(src, dest, part, rest, last);
        assertThat(dest.store().get("key-000000003")).isEqualTo(value(32, 6));
        assertThat(dest.store().get("key-000000050")).isEqualTo(value(32, 2));
        assertThat(dest.store().get("key-000000060")).isNull();
        assertThat(dest.store().get("key-000000500")).isEqualTo(value(32, 3));
        assertThat(dest.store().get("key-000000501")).isNull();
    }

    @Test
    void theLogStopsWithTheSession() {
        KvDevice src = new KvDevice("kv", 10, 8, false, 1);
        src.setState(PRE_COPY);
        src.store().put("key-000000001", value(8, 1));
        assertThat(src.precopyInfo().dirtyBytes()).isEqualTo(putSize(8));
        src.setState(RUNNING);
        src.store().put("key-000000002", value(8, 2));
        src.setState(PRE_COPY);
        assertThat(src.precopyInfo()).as("a fresh snapshot, an empty log").isEqualTo(new PrecopyInfo(10L * putSize(8), 0));
    }

    @Test
    void theWriterWorkloadMutatesTheTableIntoTheLog() {
        KvDevice src = new KvDevice("kv", 50, 16, false, 1);
        KvDevice dest = new KvDevice("kv", 50, 16, false, 2);
        VirtualClock clock = new VirtualClock();
        WorkloadPacer pacer = Pacers.of(clock);
        Workload writer = src.writer(1000, 7);
        assertThat(writer.name()).isEqualTo("kv-writer:1000");
        src.setState(PRE_COPY);
        byte[] snapshot = drain(src);
        byte[] before = src.digest();
        writer.step(pacer);
        clock.advance(500_000_000L);
        writer.step(pacer);
        assertThat(src.digest()).isNotEqualTo(before);
        long dirty = src.precopyInfo().dirtyBytes();
        assertThat(dirty).isGreaterThan(400L * REMOVE_SIZE);
        byte[] log = drain(src);
        assertThat(log).hasSize((int) dirty);
        src.setState(STOP_COPY);
        assertLoadsEqual(src, dest, snapshot, log, drain(src));
    }

    @RepeatedTest(10)
    void concurrentWritersDuringTheSaveLeaveSourceAndDestinationEqual(RepetitionInfo rep) throws InterruptedException {
        KvDevice src = new KvDevice("kv", 300, 24, false, 1);
        KvDevice dest = new KvDevice("kv", 300, 24, false, 2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int w = t;
            SplittableRandom r = new SplittableRandom(rep.getCurrentRepetition() * 100L + t);
            writers.add(Thread.ofPlatform().name("kv-writer-" + t).start(() -> {
                byte[] v = new byte[24];
                for (long i = 0; !stop.get(); i++) {
                    // keys of the snapshot, changed again and again, and keys of this writer's
                    // own that each change once or twice, so a lost change stays lost
                    String k = r.nextBoolean() ? KvDevice.key(r.nextInt(300)) : "w" + w + "-" + (i - r.nextInt(2));
                    if (r.nextInt(4) == 0) {
                        src.store().remove(k);
                    } else {
                        r.nextBytes(v);
                        src.store().put(k, v);
                    }
                    ops.incrementAndGet();
                }
            }));
        }
        java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
        try {
            while (ops.get() < 2_000) {
                Thread.onSpinWait();
            }
            src.setState(PRE_COPY);
            long until = ops.get() + 10_000;
            while (ops.get() < until) { // read while the writers write
                sent.writeBytes(readOnce(src, 2048));
            }
        } finally {
            stop.set(true);
            for (Thread w : writers) {
                w.join();
            }
        }
        src.setState(STOP_COPY);
        sent.writeBytes(drain(src));
        assertLoadsEqual(src, dest, sent.toByteArray());
    }

    // ------------------------------------------------------------- decoding

    /** A stream of snapshot and log records, with removes among them. */
    static byte[] mixedStream(KvDevice src) {
        src.setState(PRE_COPY);
        src.store().put("key-000000001", value(9, 1));
        src.store().remove("key-000000002");
        src.store().put("new", new byte[0]);
        src.store().put("key-000000002", value(40, 2));
        src.store().remove("key-000000005");
        byte[] all = drain(src);
        src.setState(STOP_COPY);
        return concat(all, drain(src));
    }

    @Test
    void recordsSplitAcrossWritesDecodeAtEverySplitPoint() {
        KvDevice src = new KvDevice("kv", 8, 11, false, 1);
        KvDevice dest = new KvDevice("kv", 8, 11, false, 2);
        byte[] stream = mixedStream(src);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertLoadsEqual(src, dest, Arrays.copyOfRange(stream, 0, cut), Arrays.copyOfRange(stream, cut, stream.length));
        }
    }

    @Test
    void recordsSplitIntoThreePiecesDecode() {
        KvDevice src = new KvDevice("kv", 3, 5, false, 1);
        KvDevice dest = new KvDevice("kv", 3, 5, false, 2);
        byte[] stream = mixedStream(src);
        for (int a = 0; a <= stream.length; a++) {
            for (int b = a; b <= stream.length; b += 7) {
                assertLoadsEqual(src, dest, Arrays.copyOfRange(stream, 0, a), Arrays.copyOfRange(stream, a, b),
                        Arrays.copyOfRange(stream, b, stream.length));
            }
        }
    }

    @Test
    void recordsWrittenByteByByteDecode() {
        KvDevice src = new KvDevice("kv", 8, 11, false, 1);
        KvDevice dest = new KvDevice("kv", 8, 11, false, 2);
        byte[] stream = mixedStream(src);
        dest.setState(RESUMING);
        for (byte b : stream) {
            dest.write(ByteBuffer.wrap(new byte[] {b}));
        }
        dest.setState(STOP);
        assertThat(dest.digest()).isEqualTo(src.digest());
    }

    @Test
    void resumingStartsFromAnEmptyStore() {
        KvDevice dest = new KvDevice("kv", 20, 8, false, 2);
        dest.setState(RESUMING);
        write(dest, put("only", value(3, 3)));
        dest.setState(STOP);
        assertThat(dest.store().size()).isEqualTo(1);
        assertThat(dest.store().get("only")).isEqualTo(value(3, 3));
    }

    @ParameterizedTest(name = "op {0}")
    @ValueSource(ints = {0, 3, 0x81, 0xff})
    void refusesARecordWithABadOp(int op) {
        KvDevice dest = new KvDevice("kv", 0, 8, false, 2);
        dest.setState(RESUMING);
        write(dest, put("a", value(1, 1)));
        assertThatThrownBy(() -> write(dest, concat(u8(op), be16(1), ascii("k"))))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kv record with op " + op + "; expected 1 (put) or 2 (remove)");
    }

    @ParameterizedTest(name = "value length {0}")
    @ValueSource(ints = {65537, 1 << 30, -1, Integer.MIN_VALUE})
    void refusesAnOversizedValue(int length) {
        KvDevice dest = new KvDevice("kv", 0, 8, false, 2);
        dest.setState(RESUMING);
        assertThatThrownBy(() -> write(dest, concat(u8(1), be16(1), ascii("k"), be32(length))))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kv record with a value of " + length + " bytes");
    }

    @Test
    void acceptsTheLargestValue() {
        KvDevice dest = new KvDevice("kv", 0, 8, false, 2);
        dest.setState(RESUMING);
        write(dest, put("k", value(65536, 7)));
        dest.setState(STOP);
        assertThat(dest.store().get("k")).hasSize(65536);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 2, 3, 4, 7, 8, 9})
    void refusesAStreamEndingInsideARecordAtResumingToStop(int cut) {
        KvDevice dest = new KvDevice("kv", 0, 8, false, 2);
        dest.setState(RESUMING);
        write(dest, Arrays.copyOf(put("k", value(2, 1)), cut)); // a whole record is 10 bytes
        assertThatThrownBy(() -> dest.setState(STOP)).isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stream ended inside a record");
        assertThat(dest.state()).isEqualTo(DeviceState.ERROR);
    }
}
