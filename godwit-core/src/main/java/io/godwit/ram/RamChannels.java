package io.godwit.ram;

import io.godwit.stream.StreamOutput;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Channels that carry RAM pages beside the main stream (QEMU's multifd). With them, the
 * {@link RamHandler} hands pages over instead of writing PAGE records, and tells them where a
 * section or a round over memory ends, so the channels can sync with the main stream there.
 */
public final class RamChannels {
    private RamChannels() {}

    /** The source's side; called on the migration thread only. */
    public interface Sender {
        /** True when zero pages go in the packets too (zero-page-detection=multifd). */
        boolean carriesZeroPages();

        /** True when zero pages go as data, unchecked (zero-page-detection=none). */
        boolean sendsZeroPagesAsData();

        /**
         * Takes a page: its bytes are copied before this returns; {@code bytes} null means a zero
         * page. Returns the copy the channel will send (for trackers that want the sent bytes).
         */
        MemorySegment queue(RamBlock block, long offset, MemorySegment bytes) throws IOException;

        /** The setup section's pages are all out (before its EOS). */
        void setupEnd(StreamOutput main) throws IOException;

        /** An iteration section ends (before its EOS). */
        void iterationEnd(StreamOutput main) throws IOException;

        /** Every page was looked at once since the last round's end. */
        void roundEnd(StreamOutput main) throws IOException;

        /** The stop-copy section ends (before its EOS): every page must be on its way. */
        void completeEnd(StreamOutput main) throws IOException;
    }

    /** The destination's side; called on the incoming thread only. */
    public interface Receiver {
        /** A MULTIFD_FLUSH record: waits until every channel has delivered what came before it. */
        void flushRecord() throws IOException;

        /** An EOS record: the same wait when the source syncs at each section's end. */
        void endOfSection() throws IOException;
    }
}
