package io.godwit.block;

import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

import io.godwit.stream.Bytes;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The "godwit/disks" record decoded from hand-written bytes and from what the source writes. */
class DiskListTest {
    @TempDir
    Path dir;

    static DiskList read(byte[] payload) throws IOException {
        StreamInput in = Bytes.chopped(payload, 3);
        DiskList list = DiskList.read(in);
        assertThat(in.hasMore()).as("read to the end").isFalse();
        return list;
    }

    @Test
    void decodesHandWrittenListAndNone() throws IOException {
        assertThat(read(hex("01 00000002 02 6430 00000000 00200000 05 6469736b31 00000000 00300200")))
                .isEqualTo(new DiskList(0, true, List.of(new DiskList.Entry(5, "d0", 2 << 20),
                        new DiskList.Entry(16, "disk1", (3 << 20) + 512))));
        assertThat(read(hex("00"))).isEqualTo(new DiskList(0, false, List.of()));
    }

    @Test
    void readsBackWhatTheSourceWrites() throws IOException {
        try (BlockDevice d0 = BlockStreams.disk(dir, "d0", 1 << 20); BlockDevice d1 = BlockStreams.disk(dir, "d1", 4096)) {
            BlockSource s = new BlockSource(DiskSizesTest.BLOCK, d0, d1);
            DiskSizes sizes = new DiskSizes(() -> List.of(d0, d1));
            sizes.saveSetup(s.ctx);
            assertThat(read(s.take()).disks()).extracting(DiskList.Entry::name, DiskList.Entry::size)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("d0", 1L << 20),
                            org.assertj.core.groups.Tuple.tuple("d1", 4096L));
            sizes.saveLiveCompletePrecopy(s.ctx);
            assertThat(read(s.take()).listed()).isFalse();
        }
    }

    @Test
    void refusesMoreDisksThanItReads() {
        assertRefused(() -> read(hex("01 00001001")), StreamFormatException.class, 0,
                "godwit/disks lists 4097 disks; expected at most 4096");
    }

    @Test
    void refusesASectionOfAnotherVersion() {
        assertRefused(() -> DiskList.checkVersion(2, 9), StreamFormatException.class, 9,
                "godwit/disks section version 2; expected 1");
    }
}
