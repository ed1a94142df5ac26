package io.godwit.ram;

/**
 * One record of a "ram" section as {@link RamRecordReader} read and verified it. {@code at} is
 * the offset of its be64 word (of the name, for a block of the MEM_SIZE list); {@code offset} is
 * a page's byte offset in its block.
 *
 * @param <B> what the caller knows a RAM block as (see {@link io.godwit.stream.NamedTargets})
 */
public sealed interface RamRecord<B> {
    long at();

    /** True for EOS, which ends the section. */
    default boolean last() {
        return false;
    }

    /** MEM_SIZE: the block list follows, one {@link ListedBlock} per block, {@code total} bytes in all. */
    record MemSize<B>(long at, long total) implements RamRecord<B> {}

    /**
     * A block of the MEM_SIZE list: {@code remaining} is what the list's total leaves for this
     * block and those after it; {@code pageSize} (with post-copy) and {@code address} (with
     * x-ignore-shared) are 0 and -1 when the stream does not carry them.
     */
    record ListedBlock<B>(long at, String name, long length, long total, long remaining, long pageSize,
            long address) implements RamRecord<B> {}

    /** PAGE: the page's bytes follow the record, one target page, for the caller to read or skip. */
    record Page<B>(long at, B block, long offset) implements RamRecord<B> {}

    /** ZERO: the page reads as {@code fill}, 0 from every current source. */
    record Zero<B>(long at, B block, long offset, int fill) implements RamRecord<B> {}

    /** XBZRLE: {@code delta}, checked to decode, to apply to the page's previous contents ({@link XbzrleDecoder}). */
    record Xbzrle<B>(long at, B block, long offset, byte[] delta) implements RamRecord<B> {}

    /** COMPRESS_PAGE: the page, inflated. */
    record Compressed<B>(long at, B block, long offset, byte[] page) implements RamRecord<B> {}

    /** MULTIFD_FLUSH: a sync point between multifd channels; no data. */
    record MultifdFlush<B>(long at) implements RamRecord<B> {}

    /** EOS: the end of the section. */
    record Eos<B>(long at) implements RamRecord<B> {
        @Override
        public boolean last() {
            return true;
        }
    }
}
