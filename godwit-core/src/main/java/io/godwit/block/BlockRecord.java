package io.godwit.block;

/**
 * One record of a "block" section as {@link BlockRecordReader} read and verified it. {@code at} is
 * the offset of its be64 word; {@code last} says EOS was set, so the section ends here.
 *
 * @param <D> what the caller knows a disk as (see {@link io.godwit.stream.NamedTargets})
 */
public sealed interface BlockRecord<D> {
    long at();

    boolean last();

    /**
     * DEVICE_BLOCK: the chunk of {@code disk} at byte {@code offset}. Unless {@code zero}, its
     * {@link BlockDevice#CHUNK} bytes follow the record, for the caller to read or skip before it
     * asks for the next record (the last chunk of an image is sent whole, zero past the image).
     */
    record Chunk<D>(long at, D disk, long offset, boolean zero, boolean last) implements BlockRecord<D> {}

    /** PROGRESS: how far the source's bulk phase is, in percent. */
    record Progress<D>(long at, int percent, boolean last) implements BlockRecord<D> {}

    /** EOS alone: the end of the section. */
    record Eos<D>(long at) implements BlockRecord<D> {
        @Override
        public boolean last() {
            return true;
        }
    }
}
