package io.godwit.multifd;

import io.godwit.options.MultifdParameters;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How one channel turns a packet's pages into its data and back (QEMU's MultiFDMethods). A
 * compressing codec keeps one stream per channel for the whole migration and flushes it at the
 * end of every packet (zlib Z_SYNC_FLUSH, zstd ZSTD_e_flush), so each packet decodes at once,
 * with the history of the ones before it.
 */
interface PageCodec extends AutoCloseable {
    /** The compression bits of the packet's flags. */
    int flag();

    /** Compresses {@code pages} (whole pages) into {@code out}, which it fills from 0 and flips. */
    void encode(ByteBuffer pages, ByteBuffer out) throws IOException;

    /**
     * Decompresses {@code data} into {@code pages}, each a whole page to fill; refuses data that
     * ends early, gives more than the pages, or is left over.
     */
    void decode(ByteBuffer data, ByteBuffer[] pages, String where) throws IOException;

    @Override
    void close();

    static PageCodec forSending(MultifdParameters p) {
        return switch (p.compression()) {
            case NONE -> new RawCodec();
            case ZLIB -> new ZlibCodec(p.zlibLevel());
            case ZSTD -> new ZstdCodec(p.zstdLevel());
        };
    }

    /** The codec for packets with these compression bits; null for bits Godwit does not know. */
    static PageCodec forReceiving(int flag) {
        return switch (flag) {
            case MultifdWire.FLAG_NOCOMP -> new RawCodec();
            case MultifdWire.FLAG_ZLIB -> new ZlibCodec(1);
            case MultifdWire.FLAG_ZSTD -> new ZstdCodec(1);
            default -> null;
        };
    }

    /** multifd-compression=none: the pages as they are. */
    final class RawCodec implements PageCodec {
        @Override
        public int flag() {
            return MultifdWire.FLAG_NOCOMP;
        }

        @Override
        public void encode(ByteBuffer pages, ByteBuffer out) {
            throw new UnsupportedOperationException("raw pages are written as they are");
        }

        @Override
        public void decode(ByteBuffer data, ByteBuffer[] pages, String where) {
            throw new UnsupportedOperationException("raw pages are read as they are");
        }

        @Override
        public void close() {}
    }
}
