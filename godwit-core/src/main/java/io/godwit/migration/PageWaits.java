package io.godwit.migration;

import io.godwit.ram.IncomingPages;
import io.godwit.trace.PostcopyFaultEvent;
import io.godwit.trace.Trace;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * The destination's waits for post-copy pages: every wait's latency in a histogram (microseconds,
 * three significant digits), and with postcopy-blocktime the time during which at least one thread
 * waited (Godwit does not know which threads are vCPUs, so this is not QEMU's all-vCPUs figure).
 */
final class PageWaits implements IncomingPages.WaitListener {
    private final Histogram latencyUs = new SynchronizedHistogram(3);
    private final boolean blocktime;
    private int waiting;          // guarded by this
    private long blockedSince;    // guarded by this
    private long blockedNanos;    // guarded by this

    PageWaits(boolean blocktime) {
        this.blocktime = blocktime;
    }

    @Override
    public void waitBegan() {
        if (blocktime) {
            synchronized (this) {
                if (waiting++ == 0) {
                    blockedSince = System.nanoTime();
                }
            }
        }
    }

    @Override
    public void waitEnded(long nanos) {
        long us = Math.max(1, nanos / 1000);
        latencyUs.recordValue(us);
        if (Trace.active()) {
            PostcopyFaultEvent e = new PostcopyFaultEvent();
            e.latencyUs = us;
            e.commit();
        }
        if (blocktime) {
            synchronized (this) {
                if (--waiting == 0) {
                    blockedNanos += System.nanoTime() - blockedSince;
                }
            }
        }
    }

    private synchronized long blocktimeMs() {
        long n = blockedNanos + (waiting > 0 ? System.nanoTime() - blockedSince : 0);
        return n / 1_000_000;
    }

    MigrationInfo.Postcopy info(long timeMs, long requests, long bytes, long preemptPages) {
        Histogram h = latencyUs.copy();
        MigrationInfo.Latency latency = new MigrationInfo.Latency(h.getTotalCount(), h.getValueAtPercentile(50),
                h.getValueAtPercentile(99), h.getMaxValue(), (long) (h.getMean() * 1000));
        return new MigrationInfo.Postcopy(timeMs, requests, bytes, blocktime ? blocktimeMs() : -1, latency,
                preemptPages);
    }
}
