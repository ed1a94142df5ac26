package io.godwit.stream;

import static io.godwit.stream.StreamConstants.RECV_BITMAP_ENDING;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The bitmap of received pages that follows a RECV_BITMAP return-path message (ram.c
 * ramblock_recv_bitmap_send): be64 size in bytes (the bitmap rounded up to whole 8-byte words),
 * the bits little-endian (page 0 is bit 0 of byte 0), then be64 {@link
 * StreamConstants#RECV_BITMAP_ENDING}. The receiving source knows the block's page count, so it
 * knows the size to expect and refuses any other.
 */
public final class ReceivedBitmap {
    private ReceivedBitmap() {}

    /** The size in bytes of the bitmap of a block of {@code pages} pages. */
    public static long size(long pages) {
        return ((pages + 7) / 8 + 7) / 8 * 8;
    }

    /** Writes the bits of {@code words} for {@code pages} pages; bits past the last page go out as 0. */
    public static void write(StreamOutput out, long[] words, long pages) throws IOException {
        long size = size(pages);
        out.putBe64(size);
        ByteBuffer le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < size / 8; i++) {
            long w = i < words.length ? words[i] : 0;
            long bitsHere = Math.min(64, pages - 64L * i);
            if (bitsHere < 64) {
                w &= bitsHere <= 0 ? 0 : -1L >>> (64 - bitsHere);
            }
            out.putBytes(le.clear().putLong(w).array());
        }
        out.putBe64(RECV_BITMAP_ENDING);
    }

    /**
     * Reads the bitmap of a block of {@code pages} pages, checking its size and end mark (ram.c
     * ram_dirty_bitmap_reload); bits past the last page are dropped.
     */
    public static long[] read(StreamInput in, String block, long pages) throws IOException {
        long at = in.position();
        long expected = size(pages);
        long size = in.getBe64();
        if (size != expected) {
            throw new StreamFormatException(String.format("ramblock '%s' bitmap size mismatch (0x%x != 0x%x)", block,
                    size, expected), at);
        }
        long[] words = new long[(int) (expected / 8)];
        for (int i = 0; i < words.length; i++) {
            words[i] = Long.reverseBytes(in.getBe64());
        }
        if ((pages & 63) != 0) {
            words[words.length - 1] &= -1L >>> (64 - (pages & 63));
        }
        at = in.position();
        long end = in.getBe64();
        if (end != RECV_BITMAP_ENDING) {
            throw new StreamFormatException(String.format("ramblock '%s' end mark incorrect: 0x%x; expected 0x%x", block,
                    end, RECV_BITMAP_ENDING), at);
        }
        return words;
    }
}
