package io.godwit.stream;

import static io.godwit.stream.StreamConstants.MAX_DISCARDS_PER_COMMAND;
import static io.godwit.stream.StreamConstants.MAX_IDSTR_LENGTH;
import static io.godwit.stream.StreamConstants.POSTCOPY_RAM_DISCARD_VERSION;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * POSTCOPY_RAM_DISCARD (savevm.c qemu_savevm_send_postcopy_ram_discard): byte ranges of one RAM
 * block that the destination must drop because the source dirtied them after sending them. The
 * payload is a version byte (0), the block name as a u8 length and bytes followed by a NUL, then
 * be64 start and be64 length pairs, both in bytes.
 */
public record RamDiscard(String block, List<Range> ranges) {
    /** Bytes before the first range, besides the name: version, name length, NUL. */
    private static final int HEADER = 3;
    private static final int RANGE = 16;

    /** {@code length} bytes from {@code start} of the block. */
    public record Range(long start, long length) {}

    public RamDiscard {
        byte[] name = block.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length > MAX_IDSTR_LENGTH) {
            throw new IllegalArgumentException("RAM block name must be 1 to 255 bytes: '" + block + "'");
        }
        if (ranges.isEmpty() || HEADER + name.length + RANGE * ranges.size() > 0xffff) {
            throw new IllegalArgumentException("a discard carries 1 to " + (0xffff - HEADER - name.length) / RANGE
                    + " ranges, not " + ranges.size());
        }
        ranges = List.copyOf(ranges);
    }

    public Command toCommand() {
        byte[] name = block.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(HEADER + name.length + RANGE * ranges.size());
        b.put((byte) POSTCOPY_RAM_DISCARD_VERSION).put((byte) name.length).put(name).put((byte) 0);
        for (Range r : ranges) {
            b.putLong(r.start()).putLong(r.length());
        }
        return new Command(CommandType.POSTCOPY_RAM_DISCARD, b.array());
    }

    /** The commands for {@code ranges} of {@code block}, at most 12 ranges each, as QEMU batches them. */
    public static List<Command> commands(String block, List<Range> ranges) {
        List<Command> out = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i += MAX_DISCARDS_PER_COMMAND) {
            out.add(new RamDiscard(block, ranges.subList(i, Math.min(ranges.size(), i + MAX_DISCARDS_PER_COMMAND)))
                    .toCommand());
        }
        return out;
    }

    /**
     * Reads a discard, checking it as loadvm_postcopy_ram_handle_discard does: long enough for a
     * version, a name and one range; version 0; the NUL after the name; whole ranges only.
     */
    public static RamDiscard of(Command c, long at) throws StreamFormatException {
        if (c.type() != CommandType.POSTCOPY_RAM_DISCARD) {
            throw new IllegalArgumentException("not a POSTCOPY_RAM_DISCARD: " + c);
        }
        byte[] d = c.data();
        if (d.length < HEADER + 1 + RANGE) {
            throw new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD invalid length (" + d.length
                    + "); expected a version, a block name and at least one range", at);
        }
        if (d[0] != POSTCOPY_RAM_DISCARD_VERSION) {
            throw new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD invalid version (" + (d[0] & 0xff)
                    + "); expected " + POSTCOPY_RAM_DISCARD_VERSION, at);
        }
        int n = d[1] & 0xff;
        if (n == 0 || 2 + n + 1 > d.length) {
            throw new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD Failed to read RAMBlock ID (length " + n
                    + " in a payload of " + d.length + " bytes)", at);
        }
        if (d[2 + n] != 0) {
            throw new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD missing nil (" + (d[2 + n] & 0xff)
                    + ") after the block name", at);
        }
        int left = d.length - HEADER - n;
        if (left == 0 || left % RANGE != 0) {
            throw new StreamFormatException("CMD_POSTCOPY_RAM_DISCARD invalid length (" + left
                    + " bytes of ranges); expected whole 16-byte ranges", at);
        }
        String name = new String(d, 2, n, StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(d, HEADER + n, left);
        List<Range> ranges = new ArrayList<>(left / RANGE);
        while (b.hasRemaining()) {
            long start = b.getLong();
            long length = b.getLong();
            if (start < 0 || length <= 0 || start + length < 0) {
                throw new StreamFormatException(String.format("CMD_POSTCOPY_RAM_DISCARD range 0x%x+0x%x of '%s' is not "
                        + "a range of bytes", start, length, name), at);
            }
            ranges.add(new Range(start, length));
        }
        return new RamDiscard(name, ranges);
    }
}
