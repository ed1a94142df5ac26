package io.godwit.ram;

import static io.godwit.stream.StreamConstants.*;

import io.godwit.stream.NamedTargets;
import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import io.godwit.stream.UnreadData;
import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads the records of "ram" sections (QEMU migration/ram.c, version 4) one at a time, and
 * verifies each before returning it: {@link RamHandler} loads them and {@code godwit inspect}
 * reports them from here. The block a CONTINUE record refers to carries over from one section to
 * the next, so one reader serves a whole stream.
 *
 * <pre>
 * record         be64 word [block] body
 * word           bits 63..12: a page's byte offset in its block (MEM_SIZE: the total of the
 *                block list); bits 11..0 (below the target page size): flags ZERO 0x02,
 *                MEM_SIZE 0x04, PAGE 0x08, EOS 0x10, CONTINUE 0x20, XBZRLE 0x40,
 *                COMPRESS_PAGE 0x100, MULTIFD_FLUSH 0x200; one kind of record, with CONTINUE or not
 * block          ZERO, PAGE, XBZRLE, COMPRESS_PAGE without CONTINUE: u8 length + the block's name;
 *                with CONTINUE the block of the record before
 * MEM_SIZE       then per block, until the lengths add up to the total: u8 length + name, be64
 *                length; with post-copy a be64 page size after a block whose page size is not
 *                the host's; with x-ignore-shared a be64 guest address
 * ZERO           u8 fill byte (0)
 * PAGE           the page, one target page of bytes
 * XBZRLE         u8 encoding (1), be16 length (at most a page), the delta (QEMU xbzrle.c)
 * COMPRESS_PAGE  be32 length (at most two pages and 64 bytes), a zlib stream of one page
 * MULTIFD_FLUSH  nothing
 * EOS            nothing: the end of the section
 * </pre>
 * Which records a reader takes is its {@link Accepts}. A page's offset must lie within its block
 * (below 2^63 where its size is not known).
 *
 * @param <B> what the caller knows a RAM block as; it refuses names of blocks it does not have
 */
public final class RamRecordReader<B> {
    private static final long KINDS = RAM_FLAG_ZERO | RAM_FLAG_PAGE | RAM_FLAG_XBZRLE | RAM_FLAG_COMPRESS_PAGE;
    private static final long MIN_PAGE_SIZE = 1 << 10;
    private static final long MAX_PAGE_SIZE = 1 << 16;

    /** The records a reader takes; others are refused at their word. */
    public enum Accepts {
        /** What a Godwit destination loads: MEM_SIZE, PAGE, ZERO with fill byte 0, MULTIFD_FLUSH, EOS. */
        LOADABLE(RAM_FLAG_ZERO | RAM_FLAG_MEM_SIZE | RAM_FLAG_PAGE | RAM_FLAG_EOS | RAM_FLAG_CONTINUE
                | RAM_FLAG_MULTIFD_FLUSH, "ZERO, PAGE, MEM_SIZE or EOS", true),
        /** What a Godwit destination loads on the main stream: XBZRLE too (QEMU's ram_load_precopy takes it). */
        LOADABLE_XBZRLE(LOADABLE.flags | RAM_FLAG_XBZRLE, "ZERO, PAGE, XBZRLE, MEM_SIZE or EOS", true),
        /** Everything a file from QEMU may hold: XBZRLE, COMPRESS_PAGE too, and ZERO of any fill (older QEMU). */
        ANY(LOADABLE.flags | RAM_FLAG_XBZRLE | RAM_FLAG_COMPRESS_PAGE,
                "ZERO, MEM_SIZE, PAGE, EOS, CONTINUE, XBZRLE, COMPRESS_PAGE or MULTIFD_FLUSH", false);

        final long flags;
        final String names;
        final boolean zeroFillOnly;

        Accepts(long flags, String names, boolean zeroFillOnly) {
            this.flags = flags;
            this.names = names;
            this.zeroFillOnly = zeroFillOnly;
        }
    }

    private final long pageSize;
    private final Accepts accepts;
    private final NamedTargets<B> blocks;
    private boolean pageSizes;
    private boolean guestAddresses;
    private B current; // the block CONTINUE refers to
    private long listTotal;
    private long listLeft; // of the MEM_SIZE total, what the blocks listed so far leave
    private boolean inList;
    private final UnreadData data = new UnreadData("page");
    private Inflater inflater;

    /** @param pageSize the source's target page size; see {@link #checkPageSize} */
    public RamRecordReader(long pageSize, Accepts accepts, NamedTargets<B> blocks) {
        if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("page size " + pageSize);
        }
        this.pageSize = pageSize;
        this.accepts = accepts;
        this.blocks = blocks;
    }

    /** With post-copy, a block of another page size than the host's carries it in the list. */
    public void pageSizes(boolean on) {
        pageSizes = on;
    }

    /** With x-ignore-shared, each block in the list carries its guest address. */
    public void guestAddresses(boolean on) {
        guestAddresses = on;
    }

    /** Refuses a section of another version than the one this reader knows. */
    public static void checkVersion(int version, long at) throws StreamFormatException {
        if (version != RAM_VERSION) {
            throw new StreamFormatException("ram section version " + version + "; expected " + RAM_VERSION, at);
        }
    }

    /** Refuses a target page size a stream claims that no QEMU target has (1 KiB to 64 KiB). */
    public static void checkPageSize(long pageSize, long at) throws StreamFormatException {
        if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Long.bitCount(pageSize) != 1) {
            throw new StreamFormatException("RAM page size " + pageSize + " on the source; expected a power of two "
                    + "from " + MIN_PAGE_SIZE + " to " + MAX_PAGE_SIZE, at);
        }
    }

    /** The next record of {@code in}, verified; the bytes of a PAGE record before it must have been read. */
    public RamRecord<B> next(StreamInput in) throws IOException {
        data.checkRead(in);
        if (inList) {
            return listedBlock(in);
        }
        if (listLeft < 0) { // said after the last block, which the caller has seen
            listLeft = 0;
            throw new StreamFormatException("RAM block list adds up to more than its total " + listTotal,
                    in.position());
        }
        long at = in.position();
        long word = in.getBe64();
        long flags = word & (pageSize - 1);
        long addr = word & -pageSize;
        if ((flags & ~accepts.flags) != 0) {
            throw new StreamFormatException(String.format("unsupported RAM flags 0x%x; expected %s",
                    flags & ~accepts.flags, accepts.names), at);
        }
        long kind = flags & ~RAM_FLAG_CONTINUE;
        if (kind == RAM_FLAG_MEM_SIZE) {
            listTotal = addr;
            listLeft = addr;
            inList = addr > 0;
            return new RamRecord.MemSize<>(at, addr);
        } else if (kind == RAM_FLAG_EOS) {
            return new RamRecord.Eos<>(at);
        } else if (kind == RAM_FLAG_MULTIFD_FLUSH) {
            return new RamRecord.MultifdFlush<>(at);
        } else if (Long.bitCount(kind) != 1 || (kind & KINDS) == 0) {
            throw new StreamFormatException(String.format("unknown combination of RAM flags 0x%x; expected one kind "
                    + "of record", flags), at);
        }
        B block = block(in, flags, at);
        long length = blocks.size(block);
        if (addr < 0 || length >= 0 && addr >= length) { // bit 63 set: an offset no block reaches
            throw new StreamFormatException(String.format("RAM offset 0x%x beyond block '%s' of %s bytes",
                    addr, blocks.name(block), length >= 0 ? length : "at most 2^63"), at);
        }
        return page(in, kind, block, addr, at);
    }

    private B block(StreamInput in, long flags, long at) throws IOException {
        if ((flags & RAM_FLAG_CONTINUE) != 0) {
            if (current == null) {
                throw new StreamFormatException("RAM record continues a block but no block was named before", at);
            }
            return current;
        }
        current = blocks.named(in.getString8(), at);
        return current;
    }

    private RamRecord<B> page(StreamInput in, long kind, B block, long addr, long at) throws IOException {
        if (kind == RAM_FLAG_ZERO) {
            int fill = in.get8();
            if (fill != 0 && accepts.zeroFillOnly) {
                throw new StreamFormatException("zero page with fill byte " + fill + "; expected 0", at);
            }
            return new RamRecord.Zero<>(at, block, addr, fill);
        } else if (kind == RAM_FLAG_PAGE) {
            data.follow(in, pageSize);
            return new RamRecord.Page<>(at, block, addr);
        } else if (kind == RAM_FLAG_XBZRLE) {
            return new RamRecord.Xbzrle<>(at, block, addr, xbzrle(in, block, at));
        }
        return new RamRecord.Compressed<>(at, block, addr, inflated(in, block, at));
    }

    private byte[] xbzrle(StreamInput in, B block, long at) throws IOException {
        int encoding = in.get8();
        int len = in.getBe16();
        if (encoding != XBZRLE_ENCODING) {
            throw new StreamFormatException("XBZRLE page with encoding " + encoding + "; expected 1", at);
        }
        if (len > pageSize) {
            throw new StreamFormatException("XBZRLE page of " + len + " bytes; expected at most " + pageSize, at);
        }
        byte[] delta = in.getBytes(len);
        String bad = XbzrleDecoder.apply(delta, null, pageSize);
        if (bad != null) {
            throw new StreamFormatException("XBZRLE page of block '" + blocks.name(block) + "' cannot be decoded: "
                    + bad, at);
        }
        return delta;
    }

    private byte[] inflated(StreamInput in, B block, long at) throws IOException {
        int len = in.getBe32();
        if (len < 0 || len > 2 * pageSize + 64) {
            throw new StreamFormatException("compressed page of " + Integer.toUnsignedString(len) + " bytes; expected "
                    + "at most " + (2 * pageSize + 64), at);
        }
        byte[] data = in.getBytes(len);
        if (inflater == null) {
            inflater = new Inflater();
        }
        inflater.reset();
        inflater.setInput(data);
        byte[] page = new byte[(int) pageSize];
        int n;
        try {
            n = inflater.inflate(page);
        } catch (DataFormatException e) {
            throw new StreamFormatException("compressed page of block '" + blocks.name(block) + "' is not zlib data: "
                    + e.getMessage(), at);
        }
        if (n != pageSize || !inflater.finished()) {
            throw new StreamFormatException("compressed page of block '" + blocks.name(block) + "' inflates to " + n
                    + (inflater.finished() ? "" : "+") + " bytes; expected " + pageSize, at);
        }
        return page;
    }

    /** A block of the MEM_SIZE list; once the lengths reach the total, the list ends. */
    private RamRecord<B> listedBlock(StreamInput in) throws IOException {
        long at = in.position();
        String name = in.getString8();
        long length = in.getBe64();
        if (name.isEmpty()) {
            throw new StreamFormatException("RAM block with an empty name in the MEM_SIZE list", at);
        }
        if (length < 0) {
            throw new StreamFormatException("RAM block '" + name + "' of " + Long.toUnsignedString(length)
                    + " bytes in the MEM_SIZE list; expected less than 2^63", at);
        }
        long remaining = listLeft;
        listLeft -= length;
        long blockPageSize = pageSizes ? pageSizeOf(in) : 0;
        long address = guestAddresses ? in.getBe64() : -1;
        inList = listLeft > 0;
        return new RamRecord.ListedBlock<>(at, name, length, listTotal, remaining, blockPageSize, address);
    }

    /**
     * With post-copy, a block whose page size is not the host's is followed by its page size, and
     * nothing says which blocks those are: another block's entry starts with a non-zero length
     * byte, a be64 page size with a zero byte; after the last block, a page size is a power of two
     * above the target page size, which no record word is. Returns 0 when none follows.
     */
    private long pageSizeOf(StreamInput in) throws IOException {
        if (listLeft > 0) {
            return in.peek8() == 0 ? in.getBe64() : 0;
        }
        byte[] next = in.peek(8);
        long word = 0;
        for (byte b : next) {
            word = word << 8 | (b & 0xff);
        }
        if (next.length == 8 && word > pageSize && Long.bitCount(word) == 1) {
            return in.getBe64();
        }
        return 0;
    }
}
