package io.godwit.dirtyrate;

import io.godwit.clock.Clock;
import io.godwit.ram.RamBlock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Measures a machine's dirty rate in the background (QEMU's calc-dirty-rate): {@link #start}
 * returns at once, a thread of its own waits out the window, and {@link #info} shows the status
 * and, once measured, the rate. One measurement at a time.
 */
public final class DirtyRateMeter {
    private static final double MIB = 1 << 20;

    private final Supplier<List<RamBlock>> blocks;
    private final Clock clock;
    private DirtyRateInfo info = DirtyRateInfo.NONE; // guarded by this

    public DirtyRateMeter(Supplier<List<RamBlock>> blocks, Clock clock) {
        this.blocks = blocks;
        this.clock = clock;
    }

    /**
     * Starts a measurement; IllegalStateException while one runs, IllegalArgumentException for a
     * mode the machine cannot measure.
     */
    public synchronized void start(DirtyRateConfig config) {
        if (info.status() == DirtyRateStatus.MEASURING) {
            throw new IllegalStateException("the dirty rate is already being measured.");
        }
        List<RamBlock> ram = List.copyOf(blocks.get());
        if (config.mode() == DirtyRateMode.DIRTY_BITMAP) {
            BitmapWindow.check(ram);
        }
        long samples = config.mode() == DirtyRateMode.PAGE_SAMPLING ? config.samplePages() : 0;
        info = new DirtyRateInfo(DirtyRateStatus.MEASURING, -1, -1, System.currentTimeMillis() / 1000,
                config.calcTimeMs(), samples, config.mode());
        DirtyRateInfo started = info;
        Thread.ofPlatform().daemon().name("godwit-dirty-rate").start(() -> {
            try {
                measure(config, ram, started);
            } catch (RuntimeException e) { // a block closed under it: nothing was measured
                synchronized (this) {
                    info = DirtyRateInfo.NONE;
                    notifyAll();
                }
                System.err.println("godwit: dirty-rate measurement failed: " + e);
            }
        });
    }

    private void measure(DirtyRateConfig config, List<RamBlock> ram, DirtyRateInfo started) {
        double bytes;
        long begin;
        long end;
        if (config.mode() == DirtyRateMode.DIRTY_BITMAP) {
            BitmapWindow window = new BitmapWindow(ram);
            begin = clock.nanoTime();
            clock.sleepUntil(begin + config.calcTimeMs() * 1_000_000);
            bytes = window.stop();
            end = clock.nanoTime();
        } else {
            // each sample's window runs from its first hash to its second, taken in the same order:
            // from the start of the first pass to the start of the second
            begin = clock.nanoTime();
            PageSampler sampler = new PageSampler(ram, config.samplePages(), new SplittableRandom(begin));
            clock.sleepUntil(begin + config.calcTimeMs() * 1_000_000);
            end = clock.nanoTime();
            bytes = sampler.dirtyBytes();
        }
        long elapsedMs = Math.max(1, (end - begin) / 1_000_000);
        double perSecond = bytes * 1000.0 / elapsedMs;
        synchronized (this) {
            info = new DirtyRateInfo(DirtyRateStatus.MEASURED, (long) (perSecond / MIB), perSecond,
                    started.startTimeSeconds(), elapsedMs, started.samplePages(), started.mode());
            notifyAll();
        }
    }

    /** query-dirty-rate. */
    public synchronized DirtyRateInfo info() {
        return info;
    }

    /** Waits until the measurement under way (if any) is measured; returns the info then, or on timeout. */
    public synchronized DirtyRateInfo await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long left;
        while (info.status() == DirtyRateStatus.MEASURING && (left = deadline - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
        return info;
    }
}
