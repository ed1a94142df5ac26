package io.godwit.multifd;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** multifd-compression=zstd (QEMU multifd-zstd.c): one zstd stream per channel, flushed per packet. */
final class ZstdCodec implements PageCodec {
    private final int level;
    private ZstdCompressCtx compress;
    private ZstdDecompressCtx decompress;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(1);

    ZstdCodec(int level) {
        this.level = level;
    }

    @Override
    public int flag() {
        return MultifdWire.FLAG_ZSTD;
    }

    @Override
    public void encode(ByteBuffer pages, ByteBuffer out) throws IOException {
        if (compress == null) {
            compress = new ZstdCompressCtx().setLevel(level);
        }
        out.clear();
        try {
            while (!compress.compressDirectByteBufferStream(out, pages, EndDirective.FLUSH)) {
                if (!out.hasRemaining()) {
                    throw new IOException("zstd output of " + pages.capacity() + " bytes of pages exceeds "
                            + out.capacity() + " bytes");
                }
            }
        } catch (ZstdException e) {
            throw new IOException("zstd: " + e.getMessage(), e);
        }
        out.flip();
    }

    @Override
    public void decode(ByteBuffer data, ByteBuffer[] pages, String where) throws IOException {
        if (decompress == null) {
            decompress = new ZstdDecompressCtx();
        }
        try {
            for (ByteBuffer page : pages) {
                while (page.hasRemaining()) {
                    int in = data.remaining();
                    int out = page.remaining();
                    decompress.decompressDirectByteBufferStream(page, data);
                    if (data.remaining() == in && page.remaining() == out) {
                        throw new IOException(where + ": zstd data ends before " + pages.length + " pages");
                    }
                }
            }
            while (data.hasRemaining()) { // the flush may leave a block header with nothing in it
                int in = data.remaining();
                scratch.clear();
                decompress.decompressDirectByteBufferStream(scratch, data);
                if (scratch.position() > 0) {
                    throw new IOException(where + ": zstd data holds more than " + pages.length + " pages");
                }
                if (data.remaining() == in) {
                    throw new IOException(where + ": " + in + " bytes of zstd data left after the pages");
                }
            }
        } catch (ZstdException e) {
            throw new IOException(where + ": zstd data refused: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (compress != null) {
            compress.close();
        }
        if (decompress != null) {
            decompress.close();
        }
    }
}
