package io.godwit.dirtyrate;

import io.godwit.ram.RamBlock;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Page-sampling: picks {@code samplePages} random pages per GiB of every RAM block of at least
 * 128 KiB (at least one per block), remembers a hash of each, and later counts those whose hash
 * changed. The changed share of the samples, times the RAM sampled, is the RAM dirtied.
 */
final class PageSampler {
    /** QEMU samples only blocks of at least this size (MIN_RAMBLOCK_SIZE, 128 KiB). */
    static final long MIN_BLOCK_BYTES = 128 << 10;

    private record Sample(RamBlock block, long[] pages, int[] hashes) {}

    private final List<Sample> samples = new ArrayList<>();

    /** Hashes the samples now (the start of the window). */
    PageSampler(List<RamBlock> blocks, long samplePagesPerGiB, SplittableRandom random) {
        for (RamBlock b : blocks) {
            if (b.size() < MIN_BLOCK_BYTES) {
                continue;
            }
            int n = (int) Math.max(1, Math.min(b.pages(), (b.size() * samplePagesPerGiB) >>> 30));
            long[] pages = new long[n];
            int[] hashes = new int[n];
            for (int i = 0; i < n; i++) {
                pages[i] = random.nextLong(b.pages());
                hashes[i] = hash(b.segment(), pages[i]);
            }
            samples.add(new Sample(b, pages, hashes));
        }
    }

    /** Bytes of RAM the samples stand for. */
    long sampledBytes() {
        return samples.stream().mapToLong(s -> s.block().size()).sum();
    }

    /** The share of RAM dirtied since the start, from the samples whose hash changed; 0 without samples. */
    double dirtyBytes() {
        double bytes = 0;
        for (Sample s : samples) {
            int changed = 0;
            for (int i = 0; i < s.pages().length; i++) {
                if (hash(s.block().segment(), s.pages()[i]) != s.hashes()[i]) {
                    changed++;
                }
            }
            bytes += (double) changed / s.pages().length * s.block().size();
        }
        return bytes;
    }

    /** CRC32C of a page: any change within 32 consecutive bits, a word store, always shows. */
    private static int hash(MemorySegment seg, long page) {
        CRC32C c = new CRC32C();
        c.update(seg.asSlice(page << RamBlock.PAGE_SHIFT, RamBlock.PAGE_SIZE).asByteBuffer());
        return (int) c.getValue();
    }
}
