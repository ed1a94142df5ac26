package io.godwit.inspect;

import io.godwit.ram.RamRecord;
import io.godwit.ram.RamRecordReader;
import io.godwit.ram.XbzrleDecoder;
import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "ram" sections (QEMU migration/ram.c, version 4), read with the engine's
 * {@link RamRecordReader} taking every record a file can hold: each record counted per block of
 * the MEM_SIZE list and, with an extractor, the pages written out as a destination would.
 */
final class RamReader implements SectionReader {
    /**
     * The most RAM, all blocks together, inspect reads: what a blank destination takes by default.
     * Each block's page bitmap (to count distinct pages) takes 32 MiB of heap per TiB.
     */
    static final long MAX_RAM = 1L << 40;

    private final long pageSize;
    private final RamExtractor extractor;
    private final Progress progress;
    private final Map<String, RamBlockStats> blocks = new LinkedHashMap<>();
    private final RamRecordReader<RamBlockStats> reader;

    RamReader(long pageSize, RamExtractor extractor, Progress progress) {
        this.pageSize = pageSize;
        this.extractor = extractor;
        this.progress = progress;
        this.reader = new RamRecordReader<>(pageSize, RamRecordReader.Accepts.ANY, new NamedTargets<>(blocks::get,
                RamBlockStats::name, RamBlockStats::length, name -> "RAM record for block '" + name + "', which the "
                        + "MEM_SIZE list did not name; expected one of " + blocks.keySet()));
    }

    /** With x-ignore-shared, each block in the list also carries its guest address. */
    void ignoreShared(boolean on) {
        reader.guestAddresses(on);
    }

    /** With post-copy and blocks of other page sizes, such blocks carry their page size in the list. */
    void hugePageSizes(boolean on) {
        reader.pageSizes(on);
    }

    Map<String, RamBlockStats> blocks() {
        return blocks;
    }

    long pageSize() {
        return pageSize;
    }

    @Override
    public void read(StreamInput in, int version) throws IOException {
        RamRecordReader.checkVersion(version, in.position());
        while (true) {
            RamRecord<RamBlockStats> r = reader.next(in);
            switch (r) {
                case RamRecord.ListedBlock<RamBlockStats> b -> {
                    if (b.length() > b.remaining()) { // the reader says so only after the block: before sizing it
                        throw new StreamFormatException("RAM block '" + b.name() + "' of " + b.length() + " bytes in "
                                + "the MEM_SIZE list; its total leaves " + b.remaining(), b.at());
                    }
                    add(b.name(), b.length(), b.at());
                }
                case RamRecord.Page<RamBlockStats> p -> {
                    seen(p.block(), p.offset()).normal++;
                    if (extractor != null) {
                        extractor.copy(p.block().name(), p.offset(), in);
                    } else {
                        in.skip(pageSize);
                    }
                }
                case RamRecord.Zero<RamBlockStats> z -> {
                    seen(z.block(), z.offset()).zero++;
                    if (extractor != null) {
                        extractor.fill(z.block().name(), z.offset(), z.fill());
                    }
                }
                case RamRecord.Xbzrle<RamBlockStats> x -> {
                    seen(x.block(), x.offset()).xbzrle++;
                    if (extractor != null) {
                        XbzrleDecoder.apply(x.delta(), extractor.page(x.block().name(), x.offset()), pageSize);
                    }
                }
                case RamRecord.Compressed<RamBlockStats> c -> {
                    seen(c.block(), c.offset()).compressed++;
                    if (extractor != null) {
                        MemorySegment page = extractor.page(c.block().name(), c.offset());
                        MemorySegment.copy(MemorySegment.ofArray(c.page()), 0, page, 0, page.byteSize());
                    }
                }
                case RamRecord.MemSize<RamBlockStats> m -> {
                    if (m.total() > MAX_RAM) {
                        throw new StreamFormatException("RAM blocks of " + m.total() + " bytes in all; inspect reads "
                                + "at most " + MAX_RAM, m.at());
                    }
                }
                case RamRecord.MultifdFlush<RamBlockStats> f -> { }
                case RamRecord.Eos<RamBlockStats> e -> {
                    return;
                }
            }
            progress.at(r.at());
        }
    }

    private RamBlockStats seen(RamBlockStats b, long offset) {
        b.saw(offset / pageSize);
        return b;
    }

    private void add(String name, long length, long at) throws IOException {
        RamBlockStats known = blocks.get(name);
        if (known != null) {
            if (known.length() != length) {
                throw new StreamFormatException("RAM block '" + name + "' listed again with 0x" + Long.toHexString(length)
                        + " bytes; it had 0x" + Long.toHexString(known.length()), at);
            }
            return;
        }
        RamBlockStats b = new RamBlockStats(name, length, pageSize);
        if (extractor != null) {
            b.file = extractor.open(name, length, at).toString();
        }
        blocks.put(name, b);
    }
}
