package io.godwit.ram;

import static io.godwit.stream.Bytes.ascii;
import static io.godwit.stream.Bytes.be16;
import static io.godwit.stream.Bytes.be32;
import static io.godwit.stream.Bytes.be64;
import static io.godwit.stream.Bytes.concat;
import static io.godwit.stream.Bytes.hex;
import static io.godwit.stream.Refusal.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.godwit.stream.Bytes;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/** RAM records decoded from hand-written bytes and from what the source writes. */
class RamRecordReaderTest {
    static final byte[] EOS = hex("00000000 00000010");
    static final byte[] PC_RAM = concat(hex("06"), ascii("pc.ram"));

    static RamRecordReader<String> reader(RamRecordReader.Accepts accepts) {
        Map<String, Long> lengths = Map.of("pc.ram", 0x4000L, "rom", 0x1000L);
        return new RamRecordReader<>(4096, accepts, new NamedTargets<>(name -> lengths.containsKey(name) ? name : null,
                name -> name, lengths::get, name -> "no block '" + name + "'"));
    }

    /** The records up to EOS; each PAGE's bytes are read and kept in {@code pages}. */
    static List<RamRecord<String>> readAll(RamRecordReader<String> reader, byte[] payload, List<byte[]> pages)
            throws IOException {
        StreamInput in = Bytes.chopped(payload, 7);
        List<RamRecord<String>> out = new ArrayList<>();
        RamRecord<String> r;
        do {
            r = reader.next(in);
            if (r instanceof RamRecord.Page<String>) {
                pages.add(in.getBytes(4096));
            }
            out.add(r);
        } while (!r.last());
        assertThat(in.hasMore()).as("read to the end").isFalse();
        return out;
    }

    static byte[] page(int fill) {
        byte[] p = new byte[4096];
        Arrays.fill(p, (byte) fill);
        return p;
    }

    @Test
    void decodesHandWrittenBlockListPagesAndContinue() throws IOException {
        byte[] payload = concat(hex("00000000 00005004"), PC_RAM, be64(0x4000), hex("03"), ascii("rom"), be64(0x1000),
                hex("00000000 00002008"), PC_RAM, page(0x11), // PAGE at 0x2000 naming pc.ram
                hex("00000000 00003022 00"), // ZERO | CONTINUE at 0x3000
                hex("00000000 00000200"), EOS); // MULTIFD_FLUSH
        List<byte[]> pages = new ArrayList<>();
        assertThat(readAll(reader(RamRecordReader.Accepts.LOADABLE), payload, pages)).containsExactly(
                new RamRecord.MemSize<>(0, 0x5000),
                new RamRecord.ListedBlock<>(8, "pc.ram", 0x4000, 0x5000, 0x5000, 0, -1),
                new RamRecord.ListedBlock<>(23, "rom", 0x1000, 0x5000, 0x1000, 0, -1),
                new RamRecord.Page<>(35, "pc.ram", 0x2000),
                new RamRecord.Zero<>(35 + 15 + 4096, "pc.ram", 0x3000, 0),
                new RamRecord.MultifdFlush<>(35 + 15 + 4096 + 9),
                new RamRecord.Eos<>(35 + 15 + 4096 + 17));
        assertThat(pages).containsExactly(page(0x11));
    }

    @Test
    void readsBackWhatTheSourceWrites() throws IOException {
        try (RamBlock pc = new RamBlock("pc.ram", 0x4000, false); RamBlock rom = new RamBlock("rom", 0x1000, false)) {
            pc.putByte(0x1000 + 9, (byte) 0x5a);
            RamSource src = new RamSource(pc, rom);
            RamRecordReader<String> reader = reader(RamRecordReader.Accepts.LOADABLE);
            assertThat(readAll(reader, src.setup(), new ArrayList<>())).extracting(r -> r.getClass().getSimpleName())
                    .containsExactly("MemSize", "ListedBlock", "ListedBlock", "Eos");
            List<byte[]> pages = new ArrayList<>();
            List<RamRecord<String>> records = readAll(reader, src.iterate(Integer.MAX_VALUE), pages);
            assertThat(records.subList(0, 5)).extracting(r -> r.getClass().getSimpleName() + " " + switch (r) {
                case RamRecord.Page<String> p -> p.block() + "@" + p.offset();
                case RamRecord.Zero<String> z -> z.block() + "@" + z.offset();
                default -> "";
            }).containsExactly("Zero pc.ram@0", "Page pc.ram@4096", "Zero pc.ram@8192", "Zero pc.ram@12288",
                    "Zero rom@0");
            assertThat(pages).hasSize(1);
            assertThat(pages.getFirst()[9]).isEqualTo((byte) 0x5a);
        }
    }

    @Test
    void takesXbzrleCompressedAndFilledZeroPagesOnlyWhenAcceptingAny() throws IOException {
        Deflater d = new Deflater();
        d.setInput(page(0x33));
        d.finish();
        byte[] buf = new byte[8192];
        byte[] packed = Arrays.copyOf(buf, d.deflate(buf));
        d.end();
        byte[] xbzrle = concat(hex("00000000 00000040"), PC_RAM, hex("01"), be16(4), hex("05 02 aa bb"));
        byte[] compressed = concat(hex("00000000 00001120"), be32(packed.length), packed);
        byte[] filled = hex("00000000 00002022 07");
        List<RamRecord<String>> records = readAll(reader(RamRecordReader.Accepts.ANY),
                concat(xbzrle, compressed, filled, EOS), new ArrayList<>());
        assertThat(((RamRecord.Xbzrle<String>) records.get(0)).delta()).containsExactly(5, 2, 0xaa, 0xbb);
        assertThat(((RamRecord.Compressed<String>) records.get(1)).page()).isEqualTo(page(0x33));
        assertThat(records.get(2)).isEqualTo(new RamRecord.Zero<>(xbzrle.length + compressed.length, "pc.ram", 0x2000, 7));

        assertRefused(() -> readAll(reader(RamRecordReader.Accepts.LOADABLE), concat(xbzrle, EOS), new ArrayList<>()),
                StreamFormatException.class, 0, "unsupported RAM flags 0x40; expected ZERO, PAGE, MEM_SIZE or EOS");
        assertRefused(() -> readAll(reader(RamRecordReader.Accepts.LOADABLE),
                concat(hex("00000000 00000002"), PC_RAM, hex("07"), EOS), new ArrayList<>()),
                StreamFormatException.class, 0, "zero page with fill byte 7; expected 0");
    }

    @Test
    void readsPageSizesAndGuestAddressesInTheBlockList() throws IOException {
        RamRecordReader<String> reader = reader(RamRecordReader.Accepts.ANY);
        reader.pageSizes(true);
        reader.guestAddresses(true);
        byte[] payload = concat(hex("00000000 00005004"),
                PC_RAM, be64(0x4000), be64(0x200000), be64(0x100000), // a huge-page block: its page size follows
                hex("03"), ascii("rom"), be64(0x1000), be64(0xfffc0000L), EOS); // an address with no page size
        assertThat(readAll(reader, payload, new ArrayList<>())).containsExactly(
                new RamRecord.MemSize<>(0, 0x5000),
                new RamRecord.ListedBlock<>(8, "pc.ram", 0x4000, 0x5000, 0x5000, 0x200000, 0x100000),
                new RamRecord.ListedBlock<>(39, "rom", 0x1000, 0x5000, 0x1000, 0, 0xfffc0000L),
                new RamRecord.Eos<>(59));
    }

    @Test
    void saysTheListAddsUpToMoreThanItsTotalAfterItsLastBlock() throws IOException {
        StreamInput in = Bytes.input(concat(hex("00000000 00001004"), PC_RAM, be64(0x4000), EOS));
        RamRecordReader<String> reader = reader(RamRecordReader.Accepts.LOADABLE);
        reader.next(in);
        assertThat(reader.next(in)).isEqualTo(new RamRecord.ListedBlock<>(8, "pc.ram", 0x4000, 0x1000, 0x1000, 0, -1));
        assertRefused(() -> reader.next(in), StreamFormatException.class, 23,
                "RAM block list adds up to more than its total 4096");
    }

    @Test
    void refusesTheNextRecordBeforeThePageOfThisOneIsRead() throws IOException {
        StreamInput in = Bytes.input(concat(hex("00000000 00000008"), PC_RAM, page(0), EOS));
        RamRecordReader<String> reader = reader(RamRecordReader.Accepts.LOADABLE);
        reader.next(in);
        assertThatThrownBy(() -> reader.next(in)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("page after the previous record must be read first");
    }

    @Test
    void refusesPageSizesNoTargetHas() throws StreamFormatException {
        for (long ok : new long[] {1024, 4096, 65536}) {
            RamRecordReader.checkPageSize(ok, 0);
        }
        for (long bad : new long[] {0, 512, 3000, 1 << 17, -4096}) {
            assertRefused(() -> RamRecordReader.checkPageSize(bad, 5), StreamFormatException.class, 5,
                    "RAM page size " + bad + " on the source; expected a power of two from 1024 to 65536");
        }
    }

    @Test
    void refusesASectionOfAnotherVersion() {
        assertRefused(() -> RamRecordReader.checkVersion(3, 2), StreamFormatException.class, 2,
                "ram section version 3; expected 4");
    }

    @Test
    void aDestinationLoadsXbzrleAndRefusesMalformedRecordsNamingWhatIsWrong() throws IOException {
        RamRecordReader.Accepts dest = RamRecordReader.Accepts.LOADABLE_XBZRLE;
        byte[] good = concat(hex("00000000 00001040"), PC_RAM, hex("01"), be16(4), hex("05 02 aa bb"));
        RamRecord<String> r = readAll(reader(dest), concat(good, EOS), new ArrayList<>()).getFirst();
        assertThat(r).isInstanceOf(RamRecord.Xbzrle.class);
        assertThat(((RamRecord.Xbzrle<String>) r).offset()).isEqualTo(0x1000);

        assertRefused(() -> readAll(reader(dest), concat(hex("00000000 00000040"), PC_RAM, hex("02"), be16(4),
                hex("05 02 aa bb"), EOS), new ArrayList<>()), StreamFormatException.class, 0,
                "XBZRLE page with encoding 2; expected 1");
        assertRefused(() -> readAll(reader(dest), concat(hex("00000000 00000040"), PC_RAM, hex("01"), be16(4097),
                EOS), new ArrayList<>()), StreamFormatException.class, 0,
                "XBZRLE page of 4097 bytes; expected at most 4096");
        // 4090 unchanged bytes, then 8 new ones: past the page's end
        assertRefused(() -> readAll(reader(dest), concat(hex("00000000 00000040"), PC_RAM, hex("01"), be16(11),
                hex("fa 1f 08 01 02 03 04 05 06 07 08"), EOS), new ArrayList<>()), StreamFormatException.class, 0,
                "XBZRLE page of block 'pc.ram' cannot be decoded: run of 8 bytes at page offset 4090 goes past the "
                        + "page or the record");
        assertRefused(() -> readAll(reader(dest), concat(hex("00000000 00000040"), PC_RAM, hex("01"), be16(3),
                hex("05 00 aa"), EOS), new ArrayList<>()), StreamFormatException.class, 0,
                "XBZRLE page of block 'pc.ram' cannot be decoded: bad new-bytes run length at byte 1");
        assertRefused(() -> readAll(reader(RamRecordReader.Accepts.LOADABLE), concat(good, EOS), new ArrayList<>()),
                StreamFormatException.class, 0, "unsupported RAM flags 0x40; expected ZERO, PAGE, MEM_SIZE or EOS");
    }
}
