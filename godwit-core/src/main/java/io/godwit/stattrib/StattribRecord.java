package io.godwit.stattrib;

/**
 * One record of an "s390-storage_attributes" section as {@link StattribRecordReader} read and
 * verified it. {@code at} is the offset of its be64 word.
 */
public sealed interface StattribRecord {
    long at();

    /** True for EOS, which ends the section. */
    default boolean last() {
        return false;
    }

    /** MORE: the states of pages {@code [first, first + states.length)}, each 0 to 3 ({@link PageState}). */
    record Run(long at, long first, byte[] states) implements StattribRecord {}

    /** DONE: the source has sent its last states. */
    record Done(long at) implements StattribRecord {}

    /** EOS: the end of the section. */
    record Eos(long at) implements StattribRecord {
        @Override
        public boolean last() {
            return true;
        }
    }
}
