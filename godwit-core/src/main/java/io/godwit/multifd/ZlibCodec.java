package io.godwit.multifd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** multifd-compression=zlib (QEMU multifd-zlib.c): one zlib stream per channel, a sync flush per packet. */
final class ZlibCodec implements PageCodec {
    private final int level;
    private Deflater deflater;
    private Inflater inflater;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(1);

    ZlibCodec(int level) {
        this.level = level;
    }

    @Override
    public int flag() {
        return MultifdWire.FLAG_ZLIB;
    }

    @Override
    public void encode(ByteBuffer pages, ByteBuffer out) throws IOException {
        if (deflater == null) {
            deflater = new Deflater(level);
        }
        out.clear();
        deflater.setInput(pages);
        while (true) {
            int room = out.remaining();
            int n = deflater.deflate(out, Deflater.SYNC_FLUSH);
            if (n < room && deflater.needsInput()) {
                break;
            }
            if (!out.hasRemaining()) {
                throw new IOException("zlib output of " + pages.capacity() + " bytes of pages exceeds "
                        + out.capacity() + " bytes");
            }
        }
        out.flip();
    }

    @Override
    public void decode(ByteBuffer data, ByteBuffer[] pages, String where) throws IOException {
        if (inflater == null) {
            inflater = new Inflater();
        }
        inflater.setInput(data);
        try {
            for (ByteBuffer page : pages) {
                while (page.hasRemaining()) {
                    if (inflater.inflate(page) == 0 && (inflater.needsInput() || inflater.finished()
                            || inflater.needsDictionary())) {
                        throw new IOException(where + ": zlib data ends before " + pages.length + " pages");
                    }
                }
            }
            while (inflater.getRemaining() > 0) { // what is left may only be the flush's empty block
                scratch.clear();
                int before = inflater.getRemaining();
                if (inflater.inflate(scratch) > 0) {
                    throw new IOException(where + ": zlib data holds more than " + pages.length + " pages");
                }
                if (inflater.getRemaining() == before) {
                    throw new IOException(where + ": " + before + " bytes of zlib data left after the pages");
                }
            }
        } catch (DataFormatException e) {
            throw new IOException(where + ": zlib data refused: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (deflater != null) {
            deflater.end();
        }
        if (inflater != null) {
            inflater.end();
        }
    }
}
