package io.godwit.machine;

import io.godwit.block.BlockDirtyBitmap;
import io.godwit.block.BlockDevice;
import io.godwit.ram.RamBlock;
import io.godwit.stattrib.StorageAttributes;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A SHA-256 digest of all migrated state: per RAM block, device, disk image and dirty bitmap,
 * the storage attributes, and overall. Each block's digest covers
 * its name, size and the SHA-256 of every 1 MiB chunk; chunks are hashed in parallel, and a chunk
 * known to be zero (never written) uses the digest of a zero chunk without being read.
 */
public final class MachineDigest {
    static final int CHUNK = 1 << 20;
    private static final byte[] ZERO_CHUNK_DIGEST = sha256().digest(new byte[CHUNK]);

    /**
     * @param overall hex SHA-256 over all RAM blocks, devices and disks
     * @param blocks hex SHA-256 per RAM block, in order
     * @param devices hex SHA-256 per device, in order
     * @param disks hex SHA-256 per disk image, in order
     * @param bitmaps hex SHA-256 per dirty bitmap ("disk/bitmap": name, granularity, enabled, bits)
     * @param storageAttributes hex SHA-256 of the page states, or null when the machine has none
     */
    public record Digest(String overall, Map<String, String> blocks, Map<String, String> devices,
            Map<String, String> disks, Map<String, String> bitmaps, String storageAttributes) {}

    private MachineDigest() {}

    public static Digest of(Machine machine) {
        Map<String, String> perBlock = new LinkedHashMap<>();
        Map<String, String> perDevice = new LinkedHashMap<>();
        Map<String, String> perDisk = new LinkedHashMap<>();
        MessageDigest all = sha256();
        StorageAttributes attrs = machine.storageAttributes();
        for (RamBlock b : machine.ram()) {
            byte[] d = block(b, attrs);
            perBlock.put(b.name(), HexFormat.of().formatHex(d));
            all.update(d);
        }
        for (var h : machine.devices()) {
            byte[] d = h.device().digest();
            perDevice.put(h.device().id(), HexFormat.of().formatHex(d));
            all.update(d);
        }
        for (BlockDevice disk : machine.disks()) {
            byte[] d;
            try {
                d = disk.digest();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("disk " + disk.name() + ": " + e.getMessage(), e);
            }
            perDisk.put(disk.name(), HexFormat.of().formatHex(d));
            all.update(d);
        }
        Map<String, String> perBitmap = new LinkedHashMap<>();
        for (BlockDevice disk : machine.disks()) {
            for (BlockDirtyBitmap bm : disk.bitmaps()) {
                byte[] d = bitmap(bm);
                perBitmap.put(disk.name() + "/" + bm.name(), HexFormat.of().formatHex(d));
                all.update(d);
            }
        }
        String attrDigest = null;
        if (attrs != null) {
            byte[] d = attrs.digest();
            attrDigest = HexFormat.of().formatHex(d);
            all.update(d);
        }
        return new Digest(HexFormat.of().formatHex(all.digest()), perBlock, perDevice, perDisk, perBitmap, attrDigest);
    }

    private static byte[] bitmap(BlockDirtyBitmap bm) {
        MessageDigest md = sha256();
        md.update(bm.name().getBytes(StandardCharsets.UTF_8));
        md.update(ByteBuffer.allocate(5).putInt(0, bm.granularity()).put(4, (byte) (bm.enabled() ? 1 : 0)));
        md.update(HexFormat.of().parseHex(bm.sha256()));
        return md.digest();
    }

    private static byte[] block(RamBlock b, StorageAttributes attrs) {
        int chunks = (int) ((b.size() + CHUNK - 1) / CHUNK);
        byte[][] parts = new byte[chunks][];
        IntStream.range(0, chunks).parallel().forEach(i -> parts[i] = chunk(b, i, attrs));
        MessageDigest md = sha256();
        md.update(b.name().getBytes(StandardCharsets.UTF_8));
        md.update(ByteBuffer.allocate(8).putLong(0, b.size()));
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    /** A chunk's digest; pages the guest marked unused read as zero, whatever they hold. */
    private static byte[] chunk(RamBlock b, int i, StorageAttributes attrs) {
        long from = (long) i * CHUNK;
        long len = Math.min(CHUNK, b.size() - from);
        long firstPage = from >>> RamBlock.PAGE_SHIFT;
        long endPage = (from + len) >>> RamBlock.PAGE_SHIFT;
        b.awaitRange(from, len); // post-copy: the chunk is read raw, so its pages must be here first
        if (len == CHUNK && b.knownZero(firstPage, endPage)) {
            return ZERO_CHUNK_DIGEST;
        }
        MemorySegment slice = b.segment().asSlice(from, len);
        if (attrs != null) {
            MemorySegment copy = null;
            for (long p = firstPage; p < endPage; p++) {
                if (attrs.unused(b, p)) {
                    if (copy == null) {
                        copy = java.lang.foreign.Arena.ofAuto().allocate(len);
                        copy.copyFrom(slice);
                    }
                    copy.asSlice((p - firstPage) << RamBlock.PAGE_SHIFT, RamBlock.PAGE_SIZE).fill((byte) 0);
                }
            }
            if (copy != null) {
                slice = copy;
            }
        }
        MessageDigest md = sha256();
        md.update(slice.asByteBuffer());
        return md.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
