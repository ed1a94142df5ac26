package io.godwit.block;

import io.godwit.util.bitset.AtomicBitSet;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A disk: a raw image file with a name. Writes go through {@link #write}, which marks the 1 MiB
 * chunks block migration tracks and every recording dirty bitmap; the data is in the file (the
 * page cache) before it is marked, so whoever takes the mark and reads sees it.
 */
public final class BlockDevice implements AutoCloseable {
    public static final int SECTOR = 512;
    /** QEMU's BLK_MIG_BLOCK_SIZE: the unit of block migration. */
    public static final int CHUNK = 1 << 20;
    private static final MemorySegment ZERO = Arena.global().allocate(CHUNK, 64);

    private final String name;
    private final Path path;
    private final long size;
    private final FileChannel file;
    private final AtomicBitSet chunksWritten;
    private final List<BlockDirtyBitmap> bitmaps = new CopyOnWriteArrayList<>();

    private BlockDevice(String name, Path path, long size, FileChannel file) {
        this.name = name;
        this.path = path;
        this.size = size;
        this.file = file;
        this.chunksWritten = new AtomicBitSet((size + CHUNK - 1) / CHUNK);
    }

    /**
     * Opens {@code path}, creating a sparse image of {@code size} bytes if it does not exist. A
     * {@code size} of -1 takes the existing file's size; an existing file of another size is refused.
     */
    public static BlockDevice open(String name, Path path, long size) throws IOException {
        if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("disk name must be 1 to 255 bytes: '" + name + "'");
        }
        boolean exists = Files.exists(path);
        if (!exists && size < 0) {
            throw new IOException("disk " + name + ": " + path + " does not exist and no size was given");
        }
        if (exists && size >= 0 && Files.size(path) != size) {
            throw new IOException("disk " + name + ": " + path + " has " + Files.size(path) + " bytes; expected " + size);
        }
        long s = exists ? Files.size(path) : size;
        if (s <= 0 || s % SECTOR != 0) {
            throw new IOException("disk " + name + ": size must be a positive multiple of 512 bytes, not " + s);
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        if (!exists) {
            ch.truncate(0);
            ch.write(ByteBuffer.allocate(1), s - 1); // sparse: only the last byte is written
        }
        return new BlockDevice(name, path, s, ch);
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    public long size() {
        return size;
    }

    public long chunks() {
        return (size + CHUNK - 1) / CHUNK;
    }

    /** The 1 MiB chunks written since block migration last took them. */
    public AtomicBitSet chunksWritten() {
        return chunksWritten;
    }

    // ------------------------------------------------------------------ I/O

    /** Writes {@code data} at {@code offset} and marks what it covers. */
    public void write(long offset, ByteBuffer data) throws IOException {
        long len = data.remaining();
        check(offset, len);
        writeFully(offset, data);
        chunksWritten.markRange(offset / CHUNK, (offset + len - 1) / CHUNK + 1);
        for (BlockDirtyBitmap b : bitmaps) {
            b.recordWrite(offset, len);
        }
    }

    /** Writes loaded data (the destination of a migration): nothing records it. */
    public void writeLoaded(long offset, ByteBuffer data) throws IOException {
        check(offset, data.remaining());
        writeFully(offset, data);
    }

    private void writeFully(long offset, ByteBuffer data) throws IOException {
        long at = offset;
        while (data.hasRemaining()) {
            at += file.write(data, at);
        }
    }

    /** Reads up to {@code dst.remaining()} bytes at {@code offset}; past the end reads as zero. */
    public void read(long offset, ByteBuffer dst) throws IOException {
        long at = offset;
        while (dst.hasRemaining() && at < size) {
            int limit = dst.limit();
            if (size - at < dst.remaining()) {
                dst.limit(dst.position() + (int) (size - at));
            }
            int n = file.read(dst, at);
            dst.limit(limit);
            if (n < 0) {
                break;
            }
            at += n;
        }
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
    }

    private void check(long offset, long len) {
        if (offset < 0 || len < 0 || offset + len > size) {
            throw new IllegalArgumentException("disk " + name + ": write of " + len + " bytes at " + offset
                    + " outside the image of " + size + " bytes");
        }
    }

    static boolean isZero(ByteBuffer chunk) {
        MemorySegment s = MemorySegment.ofBuffer(chunk);
        return MemorySegment.mismatch(s, 0, s.byteSize(), ZERO, 0, s.byteSize()) == -1;
    }

    // -------------------------------------------------------------- bitmaps

    public BlockDirtyBitmap addBitmap(String bitmapName, int granularity, boolean enabled, boolean persistent) {
        if (bitmap(bitmapName) != null) {
            throw new IllegalArgumentException("Bitmap already exists: " + bitmapName);
        }
        BlockDirtyBitmap b = new BlockDirtyBitmap(bitmapName, granularity, size, enabled, persistent);
        bitmaps.add(b);
        return b;
    }

    /** Adds a bitmap made elsewhere (an incoming migration). */
    public void addBitmap(BlockDirtyBitmap b) {
        if (bitmap(b.name()) != null) {
            throw new IllegalArgumentException("Bitmap with the same name ('" + b.name() + "') already exists on disk "
                    + name);
        }
        bitmaps.add(b);
    }

    public boolean removeBitmap(String bitmapName) {
        return bitmaps.removeIf(b -> b.name().equals(bitmapName));
    }

    public BlockDirtyBitmap bitmap(String bitmapName) {
        for (BlockDirtyBitmap b : bitmaps) {
            if (b.name().equals(bitmapName)) {
                return b;
            }
        }
        return null;
    }

    public List<BlockDirtyBitmap> bitmaps() {
        return List.copyOf(bitmaps);
    }

    // ------------------------------------------------------------- verifying

    /** SHA-256 of the image's bytes. */
    public byte[] digest() throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
            for (long off = 0; off < size; off += CHUNK) {
                buf.clear().limit((int) Math.min(CHUNK, size - off));
                read(off, buf);
                buf.flip();
                md.update(buf);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void flush() throws IOException {
        file.force(false);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
