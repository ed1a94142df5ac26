package io.godwit.inspect;

import static io.godwit.stream.StreamConstants.*;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads the "ram" section, version 4 (QEMU migration/ram.c), as a destination would, counting
 * each record per block and, with an extractor, writing the pages out. Knows every record a file
 * can hold: MEM_SIZE (the block list), PAGE, ZERO, XBZRLE, COMPRESS_PAGE, MULTIFD_FLUSH and EOS.
 */
final class RamReader implements SectionReader {
    private static final long KNOWN = RAM_FLAG_ZERO | RAM_FLAG_MEM_SIZE | RAM_FLAG_PAGE | RAM_FLAG_EOS
            | RAM_FLAG_CONTINUE | RAM_FLAG_XBZRLE | RAM_FLAG_COMPRESS_PAGE | RAM_FLAG_MULTIFD_FLUSH;
    private static final int XBZRLE_ENCODING = 1; // QEMU's ENCODING_FLAG_XBZRLE

    private final long pageSize;
    private final RamExtractor extractor;
    private final Progress progress;
    private final Map<String, RamBlockStats> blocks = new LinkedHashMap<>();
    private final Inflater inflater = new Inflater();
    private final byte[] scratch;
    private RamBlockStats current; // the block CONTINUE refers to, kept across sections as QEMU does
    private boolean ignoreShared;
    private boolean hugePageSizes;

    RamReader(long pageSize, RamExtractor extractor, Progress progress) {
        this.pageSize = pageSize;
        this.extractor = extractor;
        this.progress = progress;
        this.scratch = new byte[(int) pageSize];
    }

    /** With x-ignore-shared, each block in the list also carries its guest address. */
    void ignoreShared(boolean on) {
        ignoreShared = on;
    }

    /** With post-copy and blocks of other page sizes, such blocks carry their page size in the list. */
    void hugePageSizes(boolean on) {
        hugePageSizes = on;
    }

    Map<String, RamBlockStats> blocks() {
        return blocks;
    }

    long pageSize() {
        return pageSize;
    }

    @Override
    public void read(StreamInput in, int version) throws IOException {
        if (version != RAM_VERSION) {
            throw new StreamFormatException("ram section version " + version + "; expected " + RAM_VERSION,
                    in.position());
        }
        Long ahead = null; // a record word read while looking for a page size
        while (true) {
            long at = ahead != null ? in.position() - 8 : in.position();
            long word = ahead != null ? ahead : in.getBe64();
            ahead = null;
            long flags = word & (pageSize - 1);
            long addr = word & -pageSize;
            if ((flags & ~KNOWN) != 0) {
                throw new StreamFormatException(String.format("unknown RAM flags 0x%x in record 0x%x; expected a "
                        + "combination of ZERO, MEM_SIZE, PAGE, EOS, CONTINUE, XBZRLE, COMPRESS_PAGE and MULTIFD_FLUSH",
                        flags & ~KNOWN, word), at);
            }
            long kind = flags & ~RAM_FLAG_CONTINUE;
            if (kind == RAM_FLAG_EOS) {
                return;
            } else if (kind == RAM_FLAG_MEM_SIZE) {
                ahead = blockList(in, addr);
            } else if (kind == RAM_FLAG_MULTIFD_FLUSH) {
                continue; // a sync point between multifd channels: no data
            } else if (kind == RAM_FLAG_ZERO || kind == RAM_FLAG_PAGE || kind == RAM_FLAG_XBZRLE
                    || kind == RAM_FLAG_COMPRESS_PAGE) {
                page(in, kind, addr, block(in, flags, at), at);
            } else {
                throw new StreamFormatException(String.format("RAM record with flags 0x%x; expected exactly one of "
                        + "ZERO, MEM_SIZE, PAGE, EOS, XBZRLE, COMPRESS_PAGE or MULTIFD_FLUSH", flags), at);
            }
            progress.at(at);
        }
    }

    private RamBlockStats block(StreamInput in, long flags, long at) throws IOException {
        if ((flags & RAM_FLAG_CONTINUE) != 0) {
            if (current == null) {
                throw new StreamFormatException("RAM record continues a block, but no block was named before", at);
            }
            return current;
        }
        String name = in.getString8();
        RamBlockStats b = blocks.get(name);
        if (b == null) {
            throw new StreamFormatException("RAM record for block '" + name + "', which the MEM_SIZE list did not "
                    + "name; expected one of " + blocks.keySet(), at);
        }
        current = b;
        return b;
    }

    private void page(StreamInput in, long kind, long addr, RamBlockStats b, long at) throws IOException {
        if (addr >= b.length()) {
            throw new StreamFormatException(String.format("RAM offset 0x%x beyond block '%s' of 0x%x bytes",
                    addr, b.name(), b.length()), at);
        }
        b.saw(addr / pageSize);
        if (kind == RAM_FLAG_ZERO) {
            int fill = in.get8();
            b.zero++;
            if (extractor != null) {
                extractor.fill(b.name(), addr, fill);
            }
        } else if (kind == RAM_FLAG_PAGE) {
            b.normal++;
            if (extractor != null) {
                extractor.copy(b.name(), addr, in);
            } else {
                in.skip(pageSize);
            }
        } else if (kind == RAM_FLAG_XBZRLE) {
            b.xbzrle++;
            xbzrle(in, b, addr, at);
        } else {
            b.compressed++;
            compressed(in, b, addr, at);
        }
    }

    private void xbzrle(StreamInput in, RamBlockStats b, long addr, long at) throws IOException {
        int encoding = in.get8();
        int len = in.getBe16();
        if (encoding != XBZRLE_ENCODING) {
            throw new StreamFormatException("XBZRLE page with encoding " + encoding + "; expected 1", at);
        }
        if (len > pageSize) {
            throw new StreamFormatException("XBZRLE page of " + len + " bytes; expected at most " + pageSize, at);
        }
        byte[] data = in.getBytes(len);
        MemorySegment page = extractor == null ? null : extractor.page(b.name(), addr);
        String bad = Xbzrle.apply(data, page, pageSize);
        if (bad != null) {
            throw new StreamFormatException("XBZRLE page of block '" + b.name() + "' cannot be decoded: " + bad, at);
        }
    }

    private void compressed(StreamInput in, RamBlockStats b, long addr, long at) throws IOException {
        int len = in.getBe32();
        if (len < 0 || len > 2 * pageSize + 64) {
            throw new StreamFormatException("compressed page of " + Integer.toUnsignedString(len) + " bytes; expected "
                    + "at most " + (2 * pageSize + 64), at);
        }
        byte[] data = in.getBytes(len);
        inflater.reset();
        inflater.setInput(data);
        int n;
        try {
            n = inflater.inflate(scratch);
        } catch (DataFormatException e) {
            throw new StreamFormatException("compressed page of block '" + b.name() + "' is not zlib data: "
                    + e.getMessage(), at);
        }
        if (n != pageSize || !inflater.finished()) {
            throw new StreamFormatException("compressed page of block '" + b.name() + "' inflates to " + n
                    + (inflater.finished() ? "" : "+") + " bytes; expected " + pageSize, at);
        }
        if (extractor != null) {
            MemorySegment.copy(MemorySegment.ofArray(scratch), 0, extractor.page(b.name(), addr), 0,
                    Math.min(pageSize, b.length() - addr));
        }
    }

    /** The MEM_SIZE record: every block with its length; returns a record word read ahead, or null. */
    private Long blockList(StreamInput in, long total) throws IOException {
        long left = total;
        Long ahead = null;
        while (left > 0) {
            long at = in.position();
            String name = in.getString8();
            long length = in.getBe64();
            if (name.isEmpty()) {
                throw new StreamFormatException("RAM block with an empty name in the MEM_SIZE list", at);
            }
            if (length < 0) {
                throw new StreamFormatException("RAM block '" + name + "' of " + Long.toUnsignedString(length)
                        + " bytes", at);
            }
            left -= length;
            if (hugePageSizes) {
                ahead = pageSizeOf(in, left);
            }
            if (ignoreShared) {
                in.getBe64(); // the block's guest address
            }
            add(name, length, at);
        }
        if (left < 0) {
            throw new StreamFormatException("RAM block lengths add up to more than the total 0x"
                    + Long.toHexString(total) + " of the MEM_SIZE record", in.position());
        }
        return ahead;
    }

    /**
     * With post-copy, a block whose page size is not the host's is followed by its page size, and
     * nothing says which blocks those are: another block's entry starts with a non-zero length
     * byte, a be64 page size with a zero byte; after the last block, a page size is a power of two
     * above the target page size, which no record word is. Returns a record word read ahead, or null.
     */
    private Long pageSizeOf(StreamInput in, long left) throws IOException {
        if (left > 0) {
            if (in.peek8() == 0) {
                in.getBe64();
            }
            return null;
        }
        long word = in.getBe64();
        boolean isPageSize = word > pageSize && Long.bitCount(word) == 1;
        return isPageSize ? null : word;
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
            b.file = extractor.open(name, length).toString();
        }
        blocks.put(name, b);
    }
}
