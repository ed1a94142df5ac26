package io.godwit.bitmap;

/**
 * One record of a "dirty-bitmap" section as {@link BitmapRecordReader} read and verified it.
 * {@code at} is the offset of its flags; {@code last} says EOS was set, so the section ends here.
 *
 * @param <D> what the caller knows a disk as (see {@link io.godwit.stream.NamedTargets})
 */
public sealed interface BitmapRecord<D> {
    long at();

    boolean last();

    /** START: a bitmap on {@code disk}, one bit per {@code granularity} bytes, and its flags. */
    record Start<D>(long at, D disk, String bitmap, int granularity, boolean enabled, boolean persistent,
            boolean last) implements BitmapRecord<D> {}

    /**
     * BITS: bits {@code [firstBit, firstBit + bits)} of the bitmap (sectors {@code [firstSector,
     * firstSector + sectors)} of the disk). They are all zero when {@code zeroes}; otherwise
     * {@code dataBytes} bytes of little-endian 64-bit words follow the record, for the caller to
     * read or skip before it asks for the next record.
     */
    record Bits<D>(long at, D disk, String bitmap, long firstSector, long sectors, long firstBit, long bits,
            boolean zeroes, long dataBytes, boolean last) implements BitmapRecord<D> {}

    /** COMPLETE: every bit of the bitmap has been sent. */
    record Complete<D>(long at, D disk, String bitmap, boolean last) implements BitmapRecord<D> {}

    /** EOS alone (names may have come with it): the end of the section. */
    record Eos<D>(long at) implements BitmapRecord<D> {
        @Override
        public boolean last() {
            return true;
        }
    }
}
