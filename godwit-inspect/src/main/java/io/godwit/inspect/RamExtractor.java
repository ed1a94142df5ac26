package io.godwit.inspect;

import io.godwit.stream.StreamFormatException;
import io.godwit.stream.StreamInput;
import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes RAM blocks to files of the blocks' lengths (--extract-ram), through memory mappings so
 * pages go from the stream buffer to the file with one copy. Later records overwrite earlier
 * ones; a zero page is written only where something was written before, so pages the stream
 * never filled stay holes in a sparse file.
 */
final class RamExtractor implements Closeable {
    private final Path dir;
    private final long pageSize;
    private final Arena arena = Arena.ofShared();
    private final Map<String, Out> blocks = new HashMap<>();

    private record Out(MemorySegment segment, long[] written) {}

    RamExtractor(Path dir, long pageSize) throws IOException {
        this.dir = dir;
        this.pageSize = pageSize;
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("cannot extract RAM into " + dir + ": it is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the directory " + dir + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Creates (or empties) the file of the block listed at offset {@code at}; returns its path. */
    Path open(String block, long length, long at) throws IOException {
        String name = BlockFileNames.of(block);
        if (name.length() > BlockFileNames.MAX) {
            throw new StreamFormatException("RAM block '" + block + "' makes a file name of " + name.length()
                    + " characters under --extract-ram; at most " + BlockFileNames.MAX + " fit", at);
        }
        Path file = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            MemorySegment seg = length == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
            blocks.put(block, new Out(seg, new long[(int) ((length / pageSize + 64) >>> 6)]));
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** The page's bytes in the file, for decoders that patch the page in place. */
    MemorySegment page(String block, long addr) {
        Out o = blocks.get(block);
        mark(o, addr);
        return o.segment().asSlice(addr, Math.min(pageSize, o.segment().byteSize() - addr));
    }

    /** Copies a PAGE record's data from the stream. */
    void copy(String block, long addr, StreamInput in) throws IOException {
        Out o = blocks.get(block);
        long n = Math.min(pageSize, o.segment().byteSize() - addr);
        in.copyTo(o.segment(), addr, n);
        in.skip(pageSize - n);
        mark(o, addr);
    }

    /** A ZERO record: the page reads as {@code fill} (0 for every current source). */
    void fill(String block, long addr, int fill) {
        Out o = blocks.get(block);
        long page = addr / pageSize;
        boolean written = (o.written()[(int) (page >>> 6)] & (1L << page)) != 0;
        if (fill != 0 || written) {
            page(block, addr).fill((byte) fill);
            if (fill == 0) {
                o.written()[(int) (page >>> 6)] &= ~(1L << page);
            }
        }
    }

    private void mark(Out o, long addr) {
        long page = addr / pageSize;
        o.written()[(int) (page >>> 6)] |= 1L << page;
    }

    @Override
    public void close() throws IOException {
        for (Out o : blocks.values()) {
            if (o.segment().byteSize() > 0) {
                o.segment().force();
            }
        }
        arena.close();
    }
}
